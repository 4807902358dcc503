"""asv benchmarks of the readers: OpenAlex works JSONL.gz (synthetic, sample-shaped)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ for the workload

from openalex_workload import write_snapshot  # noqa: E402

from ecosystem.readers import read_openalex  # noqa: E402


class OpenAlexWorks:
    """read_openalex on a generated snapshot (works + institutions); sizes in works."""

    params = ([20_000, 100_000], [True, False])
    param_names = ["works", "citations"]
    timeout = 600

    def setup_cache(self):
        # asv runs setup_cache in a scratch folder it removes afterwards
        out = {}
        for n in self.params[0]:
            d = Path.cwd() / f"openalex_{n}"
            write_snapshot(d, n, seed=0)
            out[n] = str(d)
        return out

    def setup(self, dirs, works, citations):
        self.dir = Path(dirs[works])

    def time_read_openalex(self, dirs, works, citations):
        read_openalex(self.dir / "works", self.dir / "institutions.jsonl.gz",
                      citations=citations, progress=False)

    def peakmem_read_openalex(self, dirs, works, citations):
        read_openalex(self.dir / "works", self.dir / "institutions.jsonl.gz",
                      citations=citations, progress=False)

    def track_works_per_second(self, dirs, works, citations):
        import time

        t = time.process_time()
        res = read_openalex(self.dir / "works", self.dir / "institutions.jsonl.gz",
                            citations=citations, progress=False)
        return res.report.records_read / (time.process_time() - t)

    track_works_per_second.unit = "works/CPU-s"



class OpenAlexPartitions:
    """Snapshot partitions decoded in parallel (``n_jobs``) vs one process, and the floor
    of any reader of these files: gzip inflation alone (wall time; 4 partitions)."""

    params = [1, 2]
    param_names = ["n_jobs"]
    timeout = 600

    def setup_cache(self):
        d = Path.cwd() / "openalex_partitions"
        write_snapshot(d, 100_000, seed=1, partition=25_000)
        return str(d)

    def time_read_openalex(self, d, n_jobs):
        read_openalex(Path(d) / "works", Path(d) / "institutions.jsonl.gz", progress=False,
                      n_jobs=n_jobs)

    def time_gzip_only(self, d, n_jobs):
        from ecosystem.readers._io import iter_chunks

        for path in sorted((Path(d) / "works").rglob("*.gz")):
            for _ in iter_chunks(path):
                pass
