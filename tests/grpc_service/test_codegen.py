"""The committed stubs are exactly what `make protos` generates from protos/."""

from pathlib import Path

from grpc_service import codegen


def test_committed_stubs_match_the_protos(tmp_path: Path):
    fresh = {path.relative_to(tmp_path): path.read_text() for path in codegen.generate(tmp_path)}
    committed = {
        path.relative_to(codegen.GENERATED_DIR): path.read_text()
        for path in codegen.GENERATED_DIR.rglob("*")
        if path.suffix in {".py", ".pyi"} and "__pycache__" not in path.parts
    }
    assert sorted(map(str, committed)) == sorted(map(str, fresh)), "run `make protos` and commit the result"
    stale = [str(name) for name, text in fresh.items() if committed[name] != text]
    assert not stale, f"stale generated stubs {stale}: run `make protos` and commit the result"


def test_generated_imports_do_not_point_at_the_django_books_app():
    grpc_module = (codegen.GENERATED_DIR / "books" / "v1" / "books_pb2_grpc.py").read_text()
    assert "from grpc_service.generated.books.v1 import books_pb2" in grpc_module
    assert "\nfrom books." not in grpc_module
