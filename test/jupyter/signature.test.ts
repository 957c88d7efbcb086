/**
 * Jupyter path: a request signed with the wrong HMAC key is dropped (no reply, no output on a cell, the kernel
 * lives) and correctly signed requests keep being answered. Driven through jupyter_client, as Jupyter does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jupyterSkip as skip, runProbe } from './probe';

/** Runs inside probe.ts's kernel session (`kc`, `km`, `out` and Session in scope). */
const PROBE = `
    def run(code):
        msg_id = kc.execute(code)
        texts, result = [], None
        deadline = time.time() + 60
        while time.time() < deadline:
            m = kc.get_iopub_msg(timeout=30)
            if m["parent_header"].get("msg_id") != msg_id: continue
            if m["msg_type"] == "stream": texts.append(m["content"]["text"])
            if m["msg_type"] == "execute_result": result = m["content"]["data"].get("text/plain")
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle": break
        return "".join(texts), result
    out["first"] = run("const kept: number = 6 * 7;\\nkept")
    bad = Session(key=b"not-the-key", signature_scheme="hmac-sha256")
    replies = []
    for _ in range(2):
        sock = km.connect_shell()
        bad.send(sock, "kernel_info_request", {})
        bad.send(sock, "execute_request", {"code": "console.log('injected')", "silent": False})
        replies.append(bool(sock.poll(1500)))
        sock.close(linger=0)
    out["bad_replied"] = any(replies)
    out["alive"] = km.is_alive()
    out["info_ok"] = kc.kernel_info(reply=True, timeout=20)["content"].get("status") == "ok"
    out["second"] = run("console.log('after');\\nkept")
`;

test('a wrongly signed request is ignored; the kernel keeps answering signed requests with its state', { skip, timeout: 240_000 }, () => {
  const out = runProbe<any>(PROBE, 'sig');
  assert.deepEqual(out.first, ['', '42']);
  assert.equal(out.bad_replied, false, 'answered a request signed with the wrong key');
  assert.equal(out.alive, true, 'the kernel died on a wrongly signed request');
  assert.equal(out.info_ok, true);
  assert.deepEqual(out.second, ['after\n', '42'], 'the wrongly signed execute_request must not run, nor its error show on a cell');
});
