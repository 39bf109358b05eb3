"""The store: everything that touches the pipeline's files, one concern a module.

root    the pipeline root, file names, StoreError
read    one file: stages.yaml into a pipeline, a deal file into a deal and problems
files   reading a file as untrusted input: regular, inside the repository, bounded
walk    which deal files there are, and one deal's file by id
cache   summaries of parsed deals kept as plain data, keyed by what can change them
load    a whole pipeline for the views, through the cache
write   atomic replace and exclusive create
lock    one lock per deal
update  the one door every write goes through
"""

from funnelctl.store.load import Loaded, duplicate_ids, load_all, load_pipeline
from funnelctl.store.lock import deal_lock
from funnelctl.store.read import (
    describe_error,
    locate,
    parse_one,
    read_deal,
    validate_pipeline_text,
)
from funnelctl.store.root import CACHE_DIR, DEALS_DIR, STAGES_FILE, StoreError, find_root
from funnelctl.store.update import update_deal
from funnelctl.store.walk import deal_files, find_deal
from funnelctl.store.write import atomic_write, atomic_write_bytes, create_exclusive

__all__ = [
    "CACHE_DIR", "DEALS_DIR", "STAGES_FILE", "Loaded", "StoreError", "atomic_write",
    "atomic_write_bytes", "create_exclusive", "deal_files", "deal_lock", "describe_error",
    "duplicate_ids", "find_deal", "find_root", "load_all", "load_pipeline", "locate",
    "parse_one",
    "read_deal", "update_deal", "validate_pipeline_text",
]
