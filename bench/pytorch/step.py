#!/usr/bin/env python3
"""Run the base optimizer, ASAM and TRAM-x steps in PyTorch on CPU, for `npm run bench`.

A small line protocol on stdin/stdout (one JSON object per line), so the suite can interleave PyTorch's steps
with its own, round by round:
  → {"op": "setup", "spec": ModelSpec (bench/models.ts), "batch": B, "methods": ["base", "asam", "tram-x"],
     "threads": t or null, "seed": s, "lr": lr, "asam": {"rho", "eta"}, "tram": {"sigma", "eta"}}
  ← {"torch": version, "threads": t}
  → {"op": "run", "method": m, "steps": n}       ← {"ms": wall ms of the n steps, "cpu_ms": process CPU ms}
  → {"op": "matmul", "m": m, "k": k, "n": n, "reps": r}   ← {"ms": ..., "cpu_ms": ...} for r products [m,k]·[k,n]
  → {"op": "quit"}

The models are the architectures of bench/models.ts; the steps follow the equations
(TRAM, Sherborne et al., ICLR 2024; ASAM, Kwon et al., 2021):
  base:   θ ← Adam(θ, ∇L(θ))
  asam:   g = ∇L(θ); T = |θ| + η on weight matrices (rank ≥ 2), 1 elsewhere; ε = ρ·T²g/‖Tg‖;
          θ ← Adam(θ, ∇L(θ + ε))                                             (2 forward, 2 backward)
  tram-x: p = f(x; θ) from the first pass; q = f(x + z; θ) with z ~ N(0, σ²), no gradient (for the text model,
          q = f(embed(x) + z; θ): the noise goes on the Embedding output);
          d = mean_b KL(q_b ‖ p_b); ε = d·T²g/‖Tg‖ (paper Eq. 7);
          θ ← Adam(θ, ∇L(θ + ε))  (paper Eq. 6)                               (3 forward, 2 backward)
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Mlp(nn.Module):
    def __init__(self, s):
        super().__init__()
        sizes = [s["input"], *s["hidden"]]
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.out = nn.Linear(sizes[-1], s["classes"])

    def forward(self, x):
        for layer in self.hidden:
            x = torch.tanh(layer(x))
        return self.out(x)


class Cnn(nn.Module):
    """conv3×3 'same' + ReLU + maxpool 2, per entry of `channels`, then a dense head (inputs NHWC as in tfjs)."""

    def __init__(self, s):
        super().__init__()
        chans = [1, *s["channels"]]
        self.convs = nn.ModuleList(nn.Conv2d(a, b, 3, padding=1) for a, b in zip(chans, chans[1:]))
        side = s["size"] // (2 ** len(s["channels"]))
        self.out = nn.Linear(chans[-1] * side * side, s["classes"])

    def forward(self, x):
        x = x.permute(0, 3, 1, 2)
        for conv in self.convs:
            x = F.max_pool2d(F.relu(conv(x)), 2)
        return self.out(x.flatten(1))


class SelfAttention(nn.Module):
    """Y = concat_h(softmax(Q_h K_hᵀ/√d_h) V_h)·Wo with Q, K, V = X·Wq, X·Wk, X·Wv (no biases)."""

    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(d, d, bias=False) for _ in range(4))

    def forward(self, x):
        b, t, d = x.shape
        h = self.heads
        split = lambda y: y.view(b, t, h, d // h).transpose(1, 2)
        q, k, v = split(self.wq(x)), split(self.wk(x)), split(self.wv(x))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // h), dim=-1)
        return self.wo((att @ v).transpose(1, 2).reshape(b, t, d))


class Transformer(nn.Module):
    """Pre-norm encoder over one-hot tokens: embedding = one-hot × matrix, learned positions, mean pooling, head."""

    def __init__(self, s):
        super().__init__()
        d = s["dModel"]
        self.embed = nn.Linear(s["vocab"], d, bias=False)
        self.position = nn.Parameter(torch.randn(s["seq"], d) * 0.02)
        self.blocks = nn.ModuleList()
        for _ in range(s["blocks"]):
            self.blocks.append(nn.ModuleDict({
                "ln_att": nn.LayerNorm(d, eps=1e-5),
                "att": SelfAttention(d, s["heads"]),
                "ln_ff": nn.LayerNorm(d, eps=1e-5),
                "ff_in": nn.Linear(d, s["ff"]),
                "ff_out": nn.Linear(s["ff"], d),
            }))
        self.ln_final = nn.LayerNorm(d, eps=1e-5)
        self.head = nn.Linear(d, s["classes"])

    def forward(self, x):
        x = self.embed(x) + self.position
        for blk in self.blocks:
            x = x + blk["att"](blk["ln_att"](x))
            x = x + blk["ff_out"](F.relu(blk["ff_in"](blk["ln_ff"](x))))
        return self.head(self.ln_final(x).mean(dim=1))


class Text(nn.Module):
    """Embedding over integer token ids, mean over positions, dense head. `sigma` noises the embeddings (TRAM-x)."""

    def __init__(self, s):
        super().__init__()
        self.embed = nn.Embedding(s["vocab"], s["dim"])
        self.out = nn.Linear(s["dim"], s["classes"])

    def forward(self, x, sigma=0.0):
        e = self.embed(x)
        if sigma:
            e = e + torch.randn_like(e) * sigma
        return self.out(e.mean(dim=1))


def build(spec):
    # 'cnn-layers' is the tfjs tf.layers.conv2d build of the same architecture as 'cnn'.
    return {"mlp": Mlp, "cnn": Cnn, "cnn-layers": Cnn, "text": Text, "transformer": Transformer}[spec["kind"]](spec)


def random_batch(spec, batch, gen):
    if spec["kind"] == "transformer":
        tokens = torch.randint(0, spec["vocab"], (batch, spec["seq"]), generator=gen)
        x = F.one_hot(tokens, spec["vocab"]).float()
    elif spec["kind"] == "text":
        x = torch.randint(0, spec["vocab"], (batch, spec["seq"]), generator=gen)
    elif spec["kind"] in ("cnn", "cnn-layers"):
        x = torch.randn(batch, spec["size"], spec["size"], 1, generator=gen)
    else:
        x = torch.randn(batch, spec["input"], generator=gen)
    y = torch.randint(0, spec["classes"], (batch,), generator=gen)
    return x, y


class Stepper:
    """One model, its Adam optimizer and the three step kinds."""

    def __init__(self, spec, req):
        self.model = build(spec)
        self.params = [p for p in self.model.parameters() if p.requires_grad]
        self.opt = torch.optim.Adam(self.params, lr=req["lr"], betas=(0.9, 0.99))
        self.rho = req["asam"]["rho"]
        self.eta = req["asam"]["eta"]
        self.sigma = req["tram"]["sigma"]
        self.tram_eta = req["tram"]["eta"]

    def _grad(self, x, y):
        """One forward + backward pass; returns the (detached) logits."""
        self.opt.zero_grad(set_to_none=True)
        logits = self.model(x)
        F.cross_entropy(logits, y).backward()
        return logits.detach()

    def _ascend_and_descend(self, x, y, radius, eta):
        """ε = radius·T²g/‖Tg‖ with T = |θ| + η on matrices; step with ∇L(θ + ε) applied at θ."""
        with torch.no_grad():
            scaled = [((p.abs() + eta) if p.dim() >= 2 else torch.ones_like(p)) for p in self.params]
            norm = torch.norm(torch.stack([(t * p.grad).norm() for t, p in zip(scaled, self.params)])) + 1e-12
            eps = [radius * t * t * p.grad / norm for t, p in zip(scaled, self.params)]
            for p, e in zip(self.params, eps):
                p.add_(e)
        self._grad(x, y)
        with torch.no_grad():
            for p, e in zip(self.params, eps):
                p.sub_(e)
        self.opt.step()

    def base(self, x, y):
        self._grad(x, y)
        self.opt.step()

    def asam(self, x, y):
        self._grad(x, y)
        self._ascend_and_descend(x, y, self.rho, self.eta)

    def tram_x(self, x, y):
        current = self._grad(x, y)
        with torch.no_grad():
            if isinstance(self.model, Text):  # integer ids: noise the embeddings, never the ids
                target = self.model(x, self.sigma)
            else:
                target = self.model(x + torch.randn_like(x) * self.sigma)
            d = F.kl_div(F.log_softmax(current, -1), F.log_softmax(target, -1), log_target=True,
                         reduction="batchmean")
        self._ascend_and_descend(x, y, d, self.tram_eta)


def main():
    kinds = {"base": "base", "asam": "asam", "tram-x": "tram_x"}
    runners = {}
    x = y = None
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        op = req.get("op")
        if op == "setup":
            if req.get("threads"):
                torch.set_num_threads(int(req["threads"]))
            torch.manual_seed(req.get("seed", 1))
            gen = torch.Generator().manual_seed(req.get("seed", 1))
            x, y = random_batch(req["spec"], req["batch"], gen)
            runners = {}
            for m in req["methods"]:
                if m not in kinds:
                    raise SystemExit(f"step.py: unknown method {m!r}; expected one of {sorted(kinds)}")
                runners[m] = getattr(Stepper(req["spec"], req), kinds[m])
            reply = {"torch": torch.__version__, "threads": torch.get_num_threads()}
        elif op == "run":
            if req["method"] not in runners:
                raise SystemExit(f"step.py: method {req['method']!r} was not set up (have {sorted(runners)})")
            run = runners[req["method"]]
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(int(req["steps"])):
                run(x, y)
            reply = {"ms": (time.perf_counter() - t0) * 1000, "cpu_ms": (time.process_time() - c0) * 1000}
        elif op == "matmul":
            a = torch.randn(int(req["m"]), int(req["k"]))
            b = torch.randn(int(req["k"]), int(req["n"]))
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(int(req["reps"])):
                torch.mm(a, b)
            reply = {"ms": (time.perf_counter() - t0) * 1000, "cpu_ms": (time.process_time() - c0) * 1000}
        elif op == "quit":
            return
        else:
            raise SystemExit(f"step.py: unknown op {op!r}; expected setup, run, matmul or quit")
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
