#!/usr/bin/env python3
"""Classifies the system calls of an `strace -f -o` trace into the guest kernel's services (issue 15).

successful open: an open/openat that returned a descriptor (the model's `open`);
path lookup: a call that walks a path name through the name cache and inodes and opens nothing (the model's
  `stat`): a failed open, stat/lstat/newfstatat on a path, access/faccessat, readlink, unlink, a failed execve;
read/write, process (execve, fork, wait, exit): the model's own services;
short: everything else (close, mmap, brk, lseek, fstat = newfstatat on a descriptor, signals, ...): other_syscall.
A call strace splits (<unfinished ...> then <... resumed>, only vfork, execve and wait4 here) counts where it
starts, as succeeded.
Usage: classify.py TRACE
"""
import re
import sys
from collections import Counter

LOOKUP = {"stat", "lstat", "newfstatat", "fstatat64", "statx", "access", "faccessat", "faccessat2", "readlink",
          "readlinkat", "unlink", "unlinkat", "chdir", "mkdir", "rmdir", "rename", "renameat", "renameat2"}
OPEN = {"open", "openat", "creat"}
READ = {"read", "pread64", "readv"}
WRITE = {"write", "pwrite64", "writev"}
PROCESS = {"execve", "vfork", "fork", "clone", "clone3", "wait4", "waitid", "exit", "exit_group"}

call = re.compile(r"^\d+\s+(?:<\.\.\. )?([a-z_0-9]+)\((.*)")
counts = Counter()
by_name = Counter()
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = call.match(line)
    if not m:
        continue  # a "<... call resumed>" line: its call was counted where it started
    name, rest = m.group(1), m.group(2)
    failed = re.search(r"= -1 ", line) is not None
    if name in OPEN:
        kind = "path lookup" if failed else "successful open"
    elif name == "newfstatat" and "AT_EMPTY_PATH" in rest:
        kind = "short"  # fstat on a descriptor: no path
    elif name in LOOKUP:
        kind = "path lookup"
    elif name == "execve" and failed:
        kind = "path lookup"
    elif name in READ:
        kind = "read"
    elif name in WRITE:
        kind = "write"
    elif name in PROCESS:
        kind = "process"
    else:
        kind = "short"
    counts[kind] += 1
    by_name[(kind, name + (" (failed)" if failed else ""))] += 1

opens = counts["successful open"]
print(f"trace: {sys.argv[1]}")
for kind in ["successful open", "path lookup", "short", "read", "write", "process"]:
    per = counts[kind] / opens if opens else float("nan")
    print(f"{kind:16} {counts[kind]:6}  per successful open {per:6.2f}")
print()
for (kind, name), n in sorted(by_name.items()):
    print(f"  {kind:16} {name:24} {n:6}")
