/**
 * Widgets over Jupyter comms (#16, kernel/host/jupyterComm.ts), driven from python's jupyter_client as a front end
 * would: a cell shows a slider and an output area in a box (one comm_open per widget, target 'tram.widget');
 * a comm_msg moving the slider runs its callback in the kernel and the output's new view comes back as a comm_msg;
 * a refused value, malformed data and an unknown comm id are answered on the comm; comm_info lists the comms;
 * after a restart, attaching to an old widget closes the comm as unknown (the output is detached).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jupyterSkip as skip, runProbe } from './probe';

/** Runs inside probe.ts's kernel session (`kc`, `km`, `out` in scope). */
const PROBE = `
    def drain(until_idle_of, seconds=60):
        got = []
        t0 = time.time()
        while time.time() - t0 < seconds:
            try:
                m = kc.get_iopub_msg(timeout=5)
            except Exception:
                continue
            got.append(m)
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle" and m["parent_header"].get("msg_id") == until_idle_of:
                break
        return got
    def comm_msgs(comm_id, pred, seconds=60):
        t0 = time.time()
        while time.time() - t0 < seconds:
            try:
                m = kc.get_iopub_msg(timeout=5)
            except Exception:
                continue
            if m["msg_type"] in ("comm_msg", "comm_close") and m["content"].get("comm_id") == comm_id and pred(m):
                return m
        return None
    def send(msg_type, content):
        msg = kc.session.msg(msg_type, content)
        kc.shell_channel.send(msg)
        return msg["header"]["msg_id"]
    code = "const s = slider({ label: 'lr', min: 0, max: 1, step: 0.1, value: 0.2 });\\nconst o = output('none yet');\\ns.onChange((v) => o.text('lr is ' + v));\\nbox([s, o])"
    mid = kc.execute(code)
    got = drain(mid, 120)
    opens = [m["content"] for m in got if m["msg_type"] == "comm_open"]
    out["opens"] = [[o["target_name"], o["data"]["view"]["kind"]] for o in opens]
    result = [m["content"] for m in got if m["msg_type"] == "execute_result"]
    out["result_mimes"] = sorted(result[0]["data"].keys()) if result else []
    sid = [o["comm_id"] for o in opens if o["data"]["view"]["kind"] == "slider"][0]
    oid = [o["comm_id"] for o in opens if o["data"]["view"]["kind"] == "output"][0]
    send("comm_msg", {"comm_id": sid, "data": {"action": "set", "value": 0.7}})
    m = comm_msgs(oid, lambda m: m["content"]["data"].get("view", {}).get("bundle", {}).get("text/plain") == "lr is 0.7")
    out["output_after_set"] = m["content"]["data"]["view"]["bundle"] if m else None
    send("comm_msg", {"comm_id": sid, "data": {"action": "set", "value": 3}})
    m = comm_msgs(sid, lambda m: "error" in m["content"]["data"])
    out["refused"] = m["content"]["data"] if m else None
    send("comm_msg", {"comm_id": sid, "data": "not an object"})
    m = comm_msgs(sid, lambda m: "error" in m["content"]["data"])
    out["malformed"] = m["content"]["data"] if m else None
    send("comm_msg", {"comm_id": "no-such-widget", "data": {"action": "click"}})
    m = comm_msgs("no-such-widget", lambda m: "error" in m["content"]["data"])
    out["unknown"] = m["content"]["data"] if m else None
    cid = kc.comm_info(target_name="tram.widget")
    while True:
        r = kc.get_shell_msg(timeout=30)
        if r["parent_header"].get("msg_id") == cid: break
    out["comm_info"] = r["content"]
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=90)
    send("comm_open", {"comm_id": "front-1", "target_name": "tram.widget", "data": {"widget": sid}})
    m = comm_msgs("front-1", lambda m: m["msg_type"] == "comm_close")
    out["after_restart"] = m["content"]["data"] if m else None
`;

test('a widget driven over its comm from jupyter_client', { skip, timeout: 300_000 }, () => {
  const out = runProbe<any>(PROBE, 'widgets', 280_000);
  assert.deepEqual(out.opens, [['tram.widget', 'box'], ['tram.widget', 'slider'], ['tram.widget', 'output']]);
  assert.deepEqual(out.result_mimes, ['application/vnd.tram.widget+json', 'text/plain']);
  assert.deepEqual(out.output_after_set, { 'text/plain': 'lr is 0.7' });
  assert.equal(out.refused.code, 'bad-value');
  assert.match(out.refused.error, /value 3 is outside \[0, 1\]/);
  assert.equal(out.refused.view.value, 0.7, 'the refused value leaves the slider where it was');
  assert.equal(out.malformed.code, 'bad-message');
  assert.equal(out.unknown.code, 'unknown-widget');
  assert.match(out.unknown.error, /unknown widget 'no-such-widget'/);
  assert.equal(out.comm_info.status, 'ok');
  assert.equal(Object.keys(out.comm_info.comms).length, 3);
  assert.equal(out.after_restart.code, 'unknown-widget', JSON.stringify(out.after_restart));
});
