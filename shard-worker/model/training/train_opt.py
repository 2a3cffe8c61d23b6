#!/usr/bin/python3
"""Trains a small OPT-architecture decoder on the text of Debian's `fortunes` package.

Writes a Hugging Face OPT checkpoint that `shard-worker import` reads:
config.json, model.safetensors (fp16, HF tensor names), vocab.json + merges.txt (GPT-2 byte-level
BPE, trained here on the training split), heldout.txt (the fortunes training never saw),
reference-logits.json (PyTorch's logits for fixed prompts, computed from the fp16 weights) and
training-manifest.json (corpus, split, steps, loss curve, sha256 of every file).

Needs only Debian packages: python3-torch (1.13) and, for speed, libopenblas0-pthread.
Run with /usr/bin/python3. Everything is seeded; the thread count is fixed so that the float
reduction order, and so the bytes written, stay the same between runs.
"""

import argparse
import hashlib
import heapq
import json
import math
import os
import random
import re
import struct
import sys
import time

# One BLAS thread: on a shared 2-core machine, OpenBLAS's and OpenMP's thread pools spin against
# the other builds (measured: 2 threads 400-530 tokens/s, 1 thread 2,200-2,400 tokens/s, same loss).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn as nn
import torch.nn.functional as F

SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>"]
BOS_ID = 2  # OPT starts every sequence with </s>
POSITION_OFFSET = 2  # OPT's learned position table starts at row 2
# GPT-2's split pattern, as BpeTokenizer.java has it. Python's re has no \p{L}/\p{N}: a letter is
# [^\W\d_] and a number \d. The corpus is almost all ASCII, where the two agree; the Java test
# checks that both tokenizers give the same ids for the reference prompts.
PIECES = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|\s+(?!\S)|\s+""")
# Skipped: pictures, not language.
EXCLUDED_FILES = {"art", "ascii-art"}


# ---------------------------------------------------------------------------------------------
# Corpus


def read_fortunes(directory):
    """Every fortune of every file, in file order, with overstrike (x BACKSPACE) removed."""
    fortunes = []
    names = sorted(
        n for n in os.listdir(directory)
        if not n.endswith((".dat", ".u8")) and n not in EXCLUDED_FILES
        and os.path.isfile(os.path.join(directory, n)))
    for name in names:
        with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as f:
            text = f.read()
        text = re.sub(".\x08", "", text).replace("\r", "")
        for entry in re.split(r"^%\n", text, flags=re.M):
            entry = entry.strip("\n")
            if entry.strip():
                fortunes.append(entry)
    return names, fortunes


def split_corpus(fortunes, heldout_share, seed):
    order = list(range(len(fortunes)))
    random.Random(seed).shuffle(order)
    count = int(round(heldout_share * len(fortunes)))
    heldout = sorted(order[:count])
    train = sorted(order[count:])
    return [fortunes[i] for i in train], [fortunes[i] for i in heldout]


# ---------------------------------------------------------------------------------------------
# Byte-level BPE, GPT-2 format


def byte_alphabet():
    """GPT-2's byte → printable character map (ByteAlphabet.java)."""
    table = {}
    nxt = 0
    for b in range(256):
        printable = (ord("!") <= b <= ord("~")) or (0xA1 <= b <= 0xAC) or (0xAE <= b <= 0xFF)
        if printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + nxt)
            nxt += 1
    return table


BYTE_TO_CHAR = byte_alphabet()


def pieces(text):
    for m in PIECES.finditer(text):
        yield "".join(BYTE_TO_CHAR[b] for b in m.group().encode("utf-8"))


def train_bpe(texts, vocab_size):
    """Most frequent pair first, ties to the smaller pair text (as BpeTrainer.java), count >= 2.

    Pair counts are updated incrementally: only the words holding the merged pair change.
    """
    vocab = {}
    for t in SPECIAL_TOKENS:
        vocab[t] = len(vocab)
    for b in range(256):
        vocab[BYTE_TO_CHAR[b]] = len(vocab)
    word_counts = {}
    for text in texts:
        for p in pieces(text):
            word_counts[p] = word_counts.get(p, 0) + 1
    words = [list(w) for w in word_counts]
    counts = list(word_counts.values())
    pair_counts = {}
    pair_words = {}
    for i, symbols in enumerate(words):
        for a, b in zip(symbols, symbols[1:]):
            pair_counts[(a, b)] = pair_counts.get((a, b), 0) + counts[i]
            pair_words.setdefault((a, b), set()).add(i)
    # Max-heap on count, then the smallest "left\0right" text.
    heap = [(-c, a + "\0" + b, (a, b)) for (a, b), c in pair_counts.items()]
    heapq.heapify(heap)
    merges = []
    while len(vocab) < vocab_size and heap:
        neg, _, pair = heapq.heappop(heap)
        current = pair_counts.get(pair, 0)
        if current != -neg:
            if current > 0:
                heapq.heappush(heap, (-current, pair[0] + "\0" + pair[1], pair))
            continue
        if current < 2:
            break
        merges.append(pair)
        merged = pair[0] + pair[1]
        vocab[merged] = len(vocab)
        touched = set()
        for i in list(pair_words.get(pair, ())):
            symbols = words[i]
            c = counts[i]
            for a, b in zip(symbols, symbols[1:]):
                pair_counts[(a, b)] -= c
                touched.add((a, b))
            out = []
            j = 0
            while j < len(symbols):
                if j + 1 < len(symbols) and symbols[j] == pair[0] and symbols[j + 1] == pair[1]:
                    out.append(merged)
                    j += 2
                else:
                    out.append(symbols[j])
                    j += 1
            words[i] = out
            for a, b in zip(out, out[1:]):
                pair_counts[(a, b)] = pair_counts.get((a, b), 0) + c
                pair_words.setdefault((a, b), set()).add(i)
                touched.add((a, b))
        pair_counts.pop(pair, None)
        pair_words.pop(pair, None)
        for p in sorted(touched):
            c = pair_counts.get(p, 0)
            if c > 0 and p != pair:
                heapq.heappush(heap, (-c, p[0] + "\0" + p[1], p))
    return vocab, merges


class Tokenizer:
    """Encodes like BpeTokenizer.java: lowest-ranked pair first, all its occurrences left to right."""

    def __init__(self, vocab, merges):
        self.vocab = vocab
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.cache = {}

    def _merge(self, piece):
        symbols = list(piece)
        while len(symbols) > 1:
            best = None
            for a, b in zip(symbols, symbols[1:]):
                r = self.ranks.get((a, b))
                if r is not None and (best is None or r < best[0]):
                    best = (r, a, b)
            if best is None:
                break
            _, a, b = best
            out = []
            j = 0
            while j < len(symbols):
                if j + 1 < len(symbols) and symbols[j] == a and symbols[j + 1] == b:
                    out.append(a + b)
                    j += 2
                else:
                    out.append(symbols[j])
                    j += 1
            symbols = out
        return symbols

    def encode(self, text):
        ids = []
        for p in pieces(text):
            tokens = self.cache.get(p)
            if tokens is None:
                tokens = [self.vocab[t] for t in self._merge(p)]
                self.cache[p] = tokens
            ids.extend(tokens)
        return ids


def token_stream(tokenizer, fortunes):
    """Each fortune after OPT's </s>, as the Java quality bench reads heldout.txt."""
    ids = []
    for f in fortunes:
        ids.append(BOS_ID)
        ids.extend(tokenizer.encode(f))
    return ids


# ---------------------------------------------------------------------------------------------
# OPT decoder, laid out as Hugging Face's OPTForCausalLM (pre-LN, learned positions offset by 2,
# LM head tied to the token embedding, ReLU FFN)


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = d // heads
        self.scaling = self.head_dim ** -0.5
        self.q_proj = nn.Linear(d, d)
        self.k_proj = nn.Linear(d, d)
        self.v_proj = nn.Linear(d, d)
        self.out_proj = nn.Linear(d, d)

    def forward(self, x, mask):
        b, t, d = x.shape
        q = (self.q_proj(x) * self.scaling).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        scores = q @ k.transpose(-1, -2) + mask
        context = torch.softmax(scores, dim=-1) @ v
        return self.out_proj(context.transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.self_attn = Attention(d, heads)
        self.self_attn_layer_norm = nn.LayerNorm(d, eps=1e-5)
        self.fc1 = nn.Linear(d, ffn)
        self.fc2 = nn.Linear(ffn, d)
        self.final_layer_norm = nn.LayerNorm(d, eps=1e-5)

    def forward(self, x, mask):
        x = x + self.self_attn(self.self_attn_layer_norm(x), mask)
        return x + self.fc2(F.relu(self.fc1(self.final_layer_norm(x))))


class Decoder(nn.Module):
    def __init__(self, vocab, d, layers, heads, ffn, max_positions):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, d)
        self.embed_positions = nn.Embedding(max_positions + POSITION_OFFSET, d)
        self.layers = nn.ModuleList(Block(d, heads, ffn) for _ in range(layers))
        self.final_layer_norm = nn.LayerNorm(d, eps=1e-5)


class OptForCausalLm(nn.Module):
    def __init__(self, vocab, d, layers, heads, ffn, max_positions):
        super().__init__()
        self.decoder = Decoder(vocab, d, layers, heads, ffn, max_positions)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                nn.init.normal_(p, mean=0.0, std=0.02)  # OPT's init_std
            elif name.endswith("layer_norm.weight"):
                nn.init.ones_(p)
            else:
                nn.init.zeros_(p)

    def forward(self, ids):
        dec = self.decoder
        t = ids.shape[1]
        positions = torch.arange(t, device=ids.device) + POSITION_OFFSET
        x = dec.embed_tokens(ids) + dec.embed_positions(positions)[None]
        mask = torch.full((t, t), float("-inf")).triu(1)
        for block in dec.layers:
            x = block(x, mask)
        return dec.final_layer_norm(x) @ dec.embed_tokens.weight.T


# ---------------------------------------------------------------------------------------------
# Output files


def write_safetensors(path, tensors):
    """safetensors: 8-byte little-endian header length, JSON header, raw little-endian data."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        data = t.numpy().tobytes()
        header[name] = {"dtype": "F16", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def hf_state(model):
    """The HF OPT tensor names, at fp16; the tied LM head is not stored (the importer ties it)."""
    return {"model." + name: p.detach().to(torch.float16) for name, p in model.named_parameters()}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


# ---------------------------------------------------------------------------------------------
# Training


def windows(stream, length):
    """Non-overlapping windows of the held-out stream; the first token of each is context only."""
    return [stream[i:i + length] for i in range(0, len(stream) - 1, length) if len(stream[i:i + length]) >= 2]


def evaluate(model, held_windows):
    model.eval()
    nll = 0.0
    count = 0
    with torch.no_grad():
        for w in held_windows:
            ids = torch.tensor([w])
            logits = model(ids)
            nll += F.cross_entropy(logits[0, :-1], ids[0, 1:], reduction="sum").item()
            count += len(w) - 1
    model.train()
    return nll / count


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--corpus", default="/usr/share/games/fortunes")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=512)
    ap.add_argument("--context", type=int, default=256, help="training window = max_position_embeddings")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=60)
    ap.add_argument("--eval-every", type=int, default=60)
    ap.add_argument("--heldout-share", type=float, default=0.05)
    ap.add_argument("--name", default="opt-fortunes")
    ap.add_argument("--time-only", type=int, default=0, help="time this many steps and exit (sizing)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    started = time.time()
    os.makedirs(args.out, exist_ok=True)

    files, fortunes = read_fortunes(args.corpus)
    train_text, held_text = split_corpus(fortunes, args.heldout_share, args.seed)
    print(f"corpus: {len(fortunes)} fortunes from {len(files)} files; train {len(train_text)}, held out {len(held_text)}", flush=True)

    t0 = time.time()
    vocab, merges = train_bpe(train_text, args.vocab)
    tokenizer = Tokenizer(vocab, merges)
    train_ids = token_stream(tokenizer, train_text)
    held_ids = token_stream(tokenizer, held_text)
    print(f"tokenizer: {len(vocab)} tokens ({len(merges)} merges) in {time.time() - t0:.0f} s; "
          f"train {len(train_ids)} tokens, held out {len(held_ids)} tokens", flush=True)

    model = OptForCausalLm(len(vocab), args.hidden, args.layers, args.heads, args.ffn, args.context)
    params = sum(p.numel() for p in model.parameters())
    print(f"model: {args.layers} layers, d={args.hidden}, heads={args.heads}, ffn={args.ffn}, "
          f"vocab={len(vocab)}, context={args.context}: {params} parameters", flush=True)

    decay = [p for n, p in model.named_parameters() if p.dim() == 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    data = torch.tensor(train_ids, dtype=torch.long)
    held_windows = windows(held_ids, args.context)
    # A fixed slice of the training stream, scored like the held-out windows, for the train curve.
    train_probe = windows(train_ids[: len(held_ids) // 2], args.context)
    batches = torch.Generator().manual_seed(args.seed)
    tokens_per_step = args.batch * args.context
    curve = []
    tick = time.time()
    for step in range(1, (args.time_only or args.steps) + 1):
        if step <= args.warmup:
            lr = args.lr * step / args.warmup
        else:
            progress = (step - args.warmup) / max(1, args.steps - args.warmup)
            lr = args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))
        for g in opt.param_groups:
            g["lr"] = lr
        starts = torch.randint(0, len(data) - args.context - 1, (args.batch,), generator=batches)
        x = torch.stack([data[s:s + args.context] for s in starts])
        y = torch.stack([data[s + 1:s + args.context + 1] for s in starts])
        loss = F.cross_entropy(model(x).view(-1, len(vocab)), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 10 == 0:
            rate = 10 * tokens_per_step / (time.time() - tick)
            tick = time.time()
            print(f"step {step}/{args.steps} loss {loss.item():.3f} lr {lr:.2e} {rate:.0f} tokens/s", flush=True)
        if args.time_only:
            continue
        if step % args.eval_every == 0 or step == args.steps:
            train_loss = evaluate(model, train_probe)
            held_loss = evaluate(model, held_windows)
            curve.append({"step": step, "trainLoss": round(train_loss, 4), "heldOutLoss": round(held_loss, 4)})
            print(f"eval step {step}: train {train_loss:.4f} (ppl {math.exp(train_loss):.1f})  "
                  f"held-out {held_loss:.4f} (ppl {math.exp(held_loss):.1f})  elapsed {time.time() - started:.0f} s", flush=True)
    if args.time_only:
        return

    # What is shipped is fp16; score and reference the fp16 weights widened back to fp32.
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.to(torch.float16).to(torch.float32))
    final_train = evaluate(model, train_probe)
    final_held = evaluate(model, held_windows)
    print(f"fp16 weights: train {final_train:.4f}, held-out {final_held:.4f} (ppl {math.exp(final_held):.2f})", flush=True)

    out = args.out
    config = {
        "_name_or_path": args.name,
        "architectures": ["OPTForCausalLM"],
        "model_type": "opt",
        "activation_function": "relu",
        "do_layer_norm_before": True,
        "_remove_final_layer_norm": False,
        "enable_bias": True,
        "layer_norm_elementwise_affine": True,
        "hidden_size": args.hidden,
        "word_embed_proj_dim": args.hidden,
        "num_hidden_layers": args.layers,
        "num_attention_heads": args.heads,
        "ffn_dim": args.ffn,
        "vocab_size": len(vocab),
        "max_position_embeddings": args.context,
        "init_std": 0.02,
        "dropout": 0.0,
        "attention_dropout": 0.0,
        "layerdrop": 0.0,
        "bos_token_id": BOS_ID,
        "eos_token_id": BOS_ID,
        "pad_token_id": 1,
        "tie_word_embeddings": True,
        "torch_dtype": "float16",
        "use_cache": True,
    }
    write_json(os.path.join(out, "config.json"), config)
    write_safetensors(os.path.join(out, "model.safetensors"), hf_state(model))
    with open(os.path.join(out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(out, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")
    with open(os.path.join(out, "heldout.txt"), "w", encoding="utf-8") as f:
        f.write("\n%\n".join(held_text) + "\n")

    prompts = ["The meaning of life is", "A computer", "Q: Why did the chicken cross the road?\nA:",
               "Never trust a man who"]
    refs = []
    model.eval()
    with torch.no_grad():
        for text in prompts:
            ids = [BOS_ID] + tokenizer.encode(text)
            logits = model(torch.tensor([ids]))[0]
            refs.append({
                "prompt": text,
                "ids": ids,
                "top1": logits.argmax(-1).tolist(),
                "top1Logit": [round(v, 5) for v in logits.max(-1).values.tolist()],
                "lastLogits": [round(v, 5) for v in logits[-1].tolist()],
            })
    write_json(os.path.join(out, "reference-logits.json"),
               {"note": "PyTorch forward pass (fp32 compute) of the fp16 weights in model.safetensors; ids start with </s>",
                "prompts": refs})

    names = ["config.json", "model.safetensors", "vocab.json", "merges.txt", "heldout.txt", "reference-logits.json"]
    manifest = {
        "name": args.name,
        "corpus": {
            "package": "Debian fortunes",
            "files": files,
            "fortunes": len(fortunes),
            "split": f"seeded shuffle (seed {args.seed}) of the fortunes; {args.heldout_share:.0%} held out in heldout.txt, never trained on",
            "trainFortunes": len(train_text),
            "heldOutFortunes": len(held_text),
            "trainTokens": len(train_ids),
            "heldOutTokens": len(held_ids),
        },
        "tokenizer": {"kind": "GPT-2 byte-level BPE trained on the training split", "vocab": len(vocab), "merges": len(merges)},
        "model": {"layers": args.layers, "hidden": args.hidden, "heads": args.heads, "ffn": args.ffn,
                  "context": args.context, "parameters": params, "storedAs": "fp16"},
        "training": {
            "seed": args.seed, "threads": args.threads, "blasThreads": os.environ["OPENBLAS_NUM_THREADS"], "steps": args.steps, "batch": args.batch,
            "tokensPerStep": tokens_per_step, "tokensSeen": tokens_per_step * args.steps,
            "optimizer": f"AdamW lr {args.lr} (warmup {args.warmup}, cosine to 5%), betas 0.9/0.95, wd 0.1 on matrices, clip 1.0",
            "torch": torch.__version__, "seconds": round(time.time() - started),
        },
        "curve": curve,
        "final": {"trainLoss": round(final_train, 4), "heldOutLoss": round(final_held, 4),
                  "heldOutPerplexity": round(math.exp(final_held), 3),
                  "note": "nats per token on the fp16 weights; held out: non-overlapping windows of context tokens, first token of each is context"},
        "sha256": {n: sha256(os.path.join(out, n)) for n in names},
    }
    write_json(os.path.join(out, "training-manifest.json"), manifest)
    print(f"wrote {out} in {time.time() - started:.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
