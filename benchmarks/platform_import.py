"""Ad platform import throughput: rows/s of each importer over a year of ad-level days.

    python benchmarks/platform_import.py                  # 500 ads × 365 days, SQLite test database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cl_21 python benchmarks/platform_import.py
    python benchmarks/platform_import.py --ads 100 --days 90

A large account's year: ``ads × days`` ad-level days (182,500 by default), each imported with its ad
set/ad group and campaign days (written rows ≈ ads × days × 1.1). Importers measured, each through
the service the admin and the daily task call:

- Meta Marketing API (Insights as an asynchronous report job, 500 rows a page) against the fake
  Meta server, which runs in a process of its own (Meta's servers do not share our CPU either);
- Google Ads API (searchStream, 31 days a request, campaign, ad group and ad queries) against the
  fake Google server, in its own process;
- Meta Ads Manager export, Google Ads report download and a generic CSV read with a saved mapping.

Each is run twice: the first pass inserts, the second re-imports the same days (updates in place).
Rows/s counts the ad-level source rows; CPU seconds are this process's. Baseline: one ``csv.reader``
pass over the Meta export, the ceiling of any CSV import in Python. Figures are printed, never
asserted.
"""

import argparse
import csv
import io
import multiprocessing
import os
import sys
import time
from datetime import date, timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from attribution.models import AdCsvMapping, PlatformDailyMetric  # noqa: E402

FIRST_DAY = date(2025, 11, 1)


def _days(n: int) -> list[str]:
    return [(FIRST_DAY + timedelta(days=d)).isoformat() for d in range(n)]


def _ids(ad: int) -> tuple[str, str, str]:
    """(campaign, ad set / ad group, ad) ids: 10 ads per group, 5 groups per campaign."""
    return str(9_000_000 + ad // 50), str(8_000_000 + ad // 10), str(7_000_000 + ad)


def _serve(kind: str, ads: int, days: int, queue) -> None:
    """Child process: build the fake with the account's year and serve until terminated."""
    from tests.fake_google_ads import FakeGoogleAds, ad_result
    from tests.fake_meta import FakeMeta, insight

    if kind == "meta":
        fake = FakeMeta(token="bench-token")
        fake.polls_before_done = 0
        fake.insights = [
            insight(ad_id, day, spend="12.34", campaign_id=campaign, adset_id=group,
                    purchases={"7d_click": "1", "1d_view": "1"}, purchase_value={"7d_click": "50"})
            for day in _days(days) for campaign, group, ad_id in map(_ids, range(ads))]
    else:
        fake = FakeGoogleAds(batch_size=10_000)
        for day in _days(days):
            for ad in range(ads):
                campaign, group, ad_id = _ids(ad)
                fake.rows["ad_group_ad"].append(
                    ad_result(ad_id, day, campaign_id=campaign, ad_group_id=group))
            for group in sorted({_ids(ad)[1] for ad in range(ads)}):
                campaign = str(9_000_000 + (int(group) - 8_000_000) // 5)
                row = ad_result("0", day, campaign_id=campaign, ad_group_id=group)
                row.pop("adGroupAd")
                fake.rows["ad_group"].append(row)
            for campaign in sorted({_ids(ad)[0] for ad in range(ads)}):
                row = ad_result("0", day, campaign_id=campaign)
                row.pop("adGroupAd")
                row.pop("adGroup")
                fake.rows["campaign"].append(row)
    with fake:
        queue.put((fake.base_url, getattr(fake, "token_url", "")))
        while True:
            time.sleep(3600)


class FakeProcess:
    def __init__(self, kind: str, ads: int, days: int):
        queue = multiprocessing.Queue()
        self.process = multiprocessing.Process(target=_serve, args=(kind, ads, days, queue), daemon=True)
        self.process.start()
        self.base_url, self.token_url = queue.get(timeout=600)

    def stop(self) -> None:
        self.process.terminate()
        self.process.join()


def meta_csv(ads: int, days: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Reporting starts", "Reporting ends", "Campaign name", "Ad set name", "Ad name", "Day",
                     "Campaign ID", "Ad set ID", "Ad ID", "Amount spent (USD)", "Impressions", "Link clicks",
                     "Purchases", "Purchases conversion value", "Attribution setting"])
    for day in _days(days):
        for ad in range(ads):
            campaign, group, ad_id = _ids(ad)
            writer.writerow([day, day, f"Campaign {campaign}", f"Ad set {group}", f"Ad {ad_id}", day,
                             campaign, group, ad_id, "12.34", "1000", "40", "1", "50.00",
                             "7-day click or 1-day view"])
    return out.getvalue().encode()


def google_csv(ads: int, days: int) -> bytes:
    out = io.StringIO()
    out.write('Ad report\n"November 1, 2025 - October 31, 2026"\n')
    writer = csv.writer(out)
    writer.writerow(["Day", "Campaign", "Campaign ID", "Ad group", "Ad group ID", "Ad ID", "Currency code",
                     "Cost", "Impr.", "Clicks", "Conversions", "Conv. value"])
    for day in _days(days):
        for ad in range(ads):
            campaign, group, ad_id = _ids(ad)
            writer.writerow([day, f"Campaign {campaign}", campaign, f"Group {group}", group, ad_id, "USD",
                             "1,234.50", "12,400", "830", "1.50", "3,120.00"])
    writer.writerow(["Total: Account", "", "", "", "", "", "USD", "1", "1", "1", "1", "1"])
    return out.getvalue().encode()


def mapped_csv(ads: int, days: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Datum", "Kampagne", "Anzeigengruppe", "Anzeige", "Kosten", "Impressionen", "Klicks"])
    for day in _days(days):
        for ad in range(ads):
            campaign, group, ad_id = _ids(ad)
            writer.writerow([day, campaign, group, ad_id, "1.234,50", "12.400", "830"])
    return out.getvalue().encode()


def timed(label: str, source_rows: int, fn) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    record = fn()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert record.status == "succeeded", (label, record.error, record.error_sample[:3])
    print(f"  {label:<34} {source_rows / wall:>9,.0f} rows/s  {source_rows / cpu:>9,.0f} per CPU s  "
          f"({wall:6.1f} s, {record.rows_written:,} rows written)", flush=True)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ads", type=int, default=500)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--only", nargs="*", default=["meta_api", "google_api", "meta_csv", "google_csv",
                                                      "mapped_csv"])
    args = parser.parse_args()
    rows = args.ads * args.days
    start, end = FIRST_DAY, FIRST_DAY + timedelta(days=args.days - 1)

    from crm_sync.ad_platforms.csv_import import platform_csv_import
    from crm_sync.google_ads.services import google_ads_import
    from crm_sync.meta_ads.services import meta_ads_import
    from tests.factories import GoogleAdsAccountFactory, MetaAdAccountFactory, WorkspaceFactory

    load_before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    setup_test_environment()
    if connection.vendor == "sqlite":  # not the test suite's file: a test run may be using it
        connection.settings_dict["TEST"]["NAME"] = str(ROOT / "var" / f"bench-{Path(__file__).stem}.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"{args.ads} ads × {args.days} days = {rows:,} ad-level days per importer; "
              f"database: {connection.vendor}")
        text = meta_csv(args.ads, args.days)
        started = time.perf_counter()
        sum(1 for _ in csv.reader(io.StringIO(text.decode())))
        print(f"  {'baseline: csv.reader over the Meta export':<34} "
              f"{rows / (time.perf_counter() - started):>9,.0f} rows/s")
        for name in args.only:
            ws = WorkspaceFactory(name=name)
            if name == "meta_api":
                fake = FakeProcess("meta", args.ads, args.days)
                settings.CLICKLEDGER = {**settings.CLICKLEDGER, "META_GRAPH_BASE": fake.base_url,
                                        "META_API_VERSION": "v26.0", "META_ASYNC_POLL_SECONDS": 0.05}
                account = MetaAdAccountFactory(workspace=ws, access_token="bench-token")
                try:
                    for run in ("first", "again"):
                        timed(f"Meta API ({run})", rows,
                              partial(meta_ads_import, account=account, start=start, end=end))
                finally:
                    fake.stop()
            elif name == "google_api":
                fake = FakeProcess("google", args.ads, args.days)
                settings.CLICKLEDGER = {**settings.CLICKLEDGER, "GOOGLE_ADS_API_BASE": fake.base_url,
                                        "GOOGLE_OAUTH_TOKEN_URL": fake.token_url,
                                        "GOOGLE_ADS_API_VERSION": "v26"}
                account = GoogleAdsAccountFactory(workspace=ws)
                try:
                    for run in ("first", "again"):
                        timed(f"Google Ads API ({run})", rows,
                              partial(google_ads_import, account=account, start=start, end=end))
                finally:
                    fake.stop()
            else:
                data = {"meta_csv": text, "google_csv": google_csv(args.ads, args.days),
                        "mapped_csv": mapped_csv(args.ads, args.days)}[name]
                kwargs = {"preset": "meta"} if name == "meta_csv" else (
                    {"preset": "google", "click_window_days": 30, "view_window_days": 1}
                    if name == "google_csv" else
                    {"mapping": AdCsvMapping.objects.create(
                        workspace=ws, name="bench", platform="microsoft", decimal_comma=True,
                        columns={"day": "Datum", "campaign_id": "Kampagne", "adgroup_id": "Anzeigengruppe",
                                 "ad_id": "Anzeige", "spend": "Kosten", "impressions": "Impressionen",
                                 "clicks": "Klicks"})})
                for run in ("first", "again"):
                    timed(f"{name.replace('_', ' ')} ({run})", rows,
                          partial(platform_csv_import, workspace=ws, file=data, **kwargs))
            written = PlatformDailyMetric.objects.filter(workspace=ws).count()
            assert written >= rows, (name, written)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average before: {load_before}, after: {load}")


if __name__ == "__main__":
    main()
