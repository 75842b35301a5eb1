"""Demo data: the typical deals.csv (767 deals, 18 customers), loaded once when there is no dataset yet."""

from pathlib import Path

from deals.models import DealsDataset
from deals.services import dataset_replace

DEMO_FILE = Path(__file__).resolve().parent / "fixtures" / "demo_deals.csv"


def seed(*, stdout) -> None:
    if DealsDataset.objects.filter(is_current=True).exists():
        stdout.write("deals: a dataset exists, left as is\n")
        return
    with DEMO_FILE.open("rb") as file:
        dataset = dataset_replace(file=file, filename=DEMO_FILE.name)
    stdout.write(f"deals: loaded {dataset.rows} demo deals\n")
