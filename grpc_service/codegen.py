"""`make protos`: generate the Python stubs of protos/ into grpc_service/generated/ (committed).

grpc_tools emits imports such as `from books.v1 import books_pb2`, which would resolve to the Django
`books` app; they are rewritten to `grpc_service.generated.books.v1`.
"""

import re
import sys
from pathlib import Path

import google.type
import grpc_tools
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "protos"
GENERATED_DIR = Path(__file__).resolve().parent / "generated"
GENERATED_PACKAGE = "grpc_service.generated"
# google/protobuf/*.proto ship with grpc_tools; google/type/date.proto with googleapis-common-protos.
INCLUDE_DIRS = [
    PROTO_ROOT,
    Path(grpc_tools.__file__).resolve().parent / "_proto",
    Path(next(iter(google.type.__path__))).resolve().parent.parent,
]
LOCAL_IMPORT = re.compile(r"^from (books(?:\.\w+)*) import ", re.MULTILINE)


def proto_files() -> list[Path]:
    return sorted(PROTO_ROOT.rglob("*.proto"))


def generate(out_dir: Path = GENERATED_DIR) -> list[Path]:
    """Write the stubs of every .proto under protos/ into `out_dir`; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    args = [
        "grpc_tools.protoc",
        *(f"--proto_path={path}" for path in INCLUDE_DIRS),
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *(str(path.relative_to(PROTO_ROOT)) for path in proto_files()),
    ]
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed, see the messages above")
    written = []
    for path in sorted(out_dir.rglob("*.py*")):
        if path.suffix not in {".py", ".pyi"}:
            continue
        text = path.read_text()
        fixed = LOCAL_IMPORT.sub(lambda match: f"from {GENERATED_PACKAGE}.{match.group(1)} import ", text)
        if fixed != text:
            path.write_text(fixed)
        written.append(path)
    # Every directory becomes a package so `grpc_service.generated.books.v1` imports.
    for directory in [out_dir, *(path for path in out_dir.rglob("*") if path.is_dir() and path.name != "__pycache__")]:
        init = directory / "__init__.py"
        if not init.exists():
            init.write_text("")
            written.append(init)
    return sorted(written)


def main() -> int:
    for path in generate():
        sys.stdout.write(f"{path.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
