"""Fault-suite probe of the TRAM Jupyter kernelspec (test/faults/jupyterRows.ts).

Starts the kernel through jupyter_client (as JupyterLab and nbconvert do), prints one JSON line with the
kernel's pid and connection info, waits for a line on stdin (the suite inspects the sockets meanwhile),
then sends a kernel_info_request signed with the wrong key (it must get no reply) and one signed with the
right key (it must be answered by the same, living kernel), runs a cell, and shuts the kernel down. Usage:
    JUPYTER_PATH=<prefix>/share/jupyter python3 jupyter_probe.py KERNEL_NAME
"""
import json
import sys
import time

from jupyter_client import KernelManager
from jupyter_client.session import Session


def say(**kw):
    print(json.dumps(kw), flush=True)


km = KernelManager(kernel_name=sys.argv[1] if len(sys.argv) > 1 else "tram")
km.start_kernel()
try:
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=90)
    info = km.get_connection_info(session=False)
    info = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in info.items()}
    pid = km.provisioner.process.pid if km.provisioner and km.provisioner.process else None
    say(stage="ready", pid=pid, conn=info)
    sys.stdin.readline()

    # A request signed with another key: the kernel must drop it.
    bad = Session(key=b"not-the-key", signature_scheme="hmac-sha256")
    sock = km.connect_shell()
    bad.send(sock, "kernel_info_request", {})
    bad_replied = bool(sock.poll(3000))
    sock.close(linger=0)
    if not km.is_alive():
        say(stage="done", bad_replied=bad_replied, alive=False, good=False, result=None)
        sys.exit(0)

    reply = kc.kernel_info(reply=True, timeout=20)
    good = reply["content"].get("status") == "ok"
    msg_id = kc.execute("const x: number = 6 * 7;\nx")
    result = None
    deadline = time.time() + 60
    while time.time() < deadline:
        m = kc.get_iopub_msg(timeout=30)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "execute_result":
            result = m["content"]["data"].get("text/plain")
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    say(stage="done", bad_replied=bad_replied, alive=True, good=good, result=result)
    kc.stop_channels()
finally:
    km.shutdown_kernel(now=False)
    say(stage="stopped")
