/**
 * Jupyter path: complete_request, inspect_request and is_complete_request as a Jupyter front end sends them,
 * driven through jupyter_client. The expected answers are TypeScript's rules (a Tensor2D has `shape`; tfjs exports
 * `tensor2d`) and the shape of the replies in the Jupyter messaging spec (status, matches, cursor_start/end,
 * found/data, complete/incomplete).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jupyterSkip as skip, runProbe } from './probe';

/** Runs inside probe.ts's kernel session (`kc`, `km`, `out` and Session in scope). */
const PROBE = `
    r = kc.execute_interactive("const kept = tf.tensor2d([[1, 2], [3, 4]]);", timeout=90)
    out["exec"] = r["content"]["status"]
    def content(reply): return reply["content"]
    out["member"] = content(kc.complete("kept.sha", 8, reply=True, timeout=60))
    out["tf"] = content(kc.complete("tf.tens", 7, reply=True, timeout=60))
    out["inspect"] = content(kc.inspect("kept", 2, reply=True, timeout=60))
    out["inspect_none"] = content(kc.inspect("   ", 1, reply=True, timeout=60))
    def is_complete(code):
        msg_id = kc.is_complete(code)
        while True:
            m = kc.get_shell_msg(timeout=60)
            if m["parent_header"].get("msg_id") == msg_id: return m["content"]
    out["done"] = is_complete("1 + 1")
    out["open"] = is_complete("for (let i = 0; i < 3; i++) {")
`;

test('complete, inspect and is_complete answer from the kernel state', { skip, timeout: 240_000 }, () => {
  const out = runProbe<any>(PROBE, 'complete');
  assert.equal(out.exec, 'ok');
  assert.equal(out.member.status, 'ok');
  assert.ok(out.member.matches.includes('shape'), JSON.stringify(out.member.matches));
  assert.deepEqual([out.member.cursor_start, out.member.cursor_end], [5, 8]); // replaces `sha`
  assert.ok(out.tf.matches.includes('tensor2d'), JSON.stringify(out.tf.matches.slice(0, 20)));
  assert.deepEqual([out.tf.cursor_start, out.tf.cursor_end], [3, 7]);
  assert.equal(out.inspect.status, 'ok');
  assert.equal(out.inspect.found, true);
  assert.match(out.inspect.data['text/plain'], /const kept: .*Tensor2D/);
  assert.equal(out.inspect_none.found, false);
  assert.equal(out.done.status, 'complete');
  assert.equal(out.open.status, 'incomplete');
});
