#!/usr/bin/env python3
"""Writes the committed seed corpus (fuzz/corpus/<target>/) from the frames
in docs/protocol.md and the tests. Rerun after a wire change:
    python3 fuzz/seeds/make_seeds.py
Files are named for what they hold; libFuzzer adds its own (hash-named)
finds to the same folders while it runs, which are not committed."""

import base64, hashlib, hmac, json, os, re, struct, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(ROOT)


def write(target, name, data):
    d = os.path.join(ROOT, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- client_frame: the client frames documented in docs/protocol.md -------
doc = open(os.path.join(REPO, "docs", "protocol.md"), encoding="utf-8").read()
SERVER_ONLY = {"call", "error", "event", "form.answer", "history", "offer",
               "offer.withdrawn", "queue", "queue.position", "receipts",
               "session", "welcome", "cobrowse"}
seen = set()
for frame in sorted(set(re.findall(r'\{"v":1[^`\n]*\}', doc))):
    frame = frame.replace("…", "9a2c")
    try:
        kind = json.loads(frame)["type"]
    except ValueError:
        continue
    if kind in SERVER_ONLY:
        continue
    n = sum(1 for k in seen if k.startswith(kind))
    seen.add(f"{kind}-{n}")
    write("client_frame", f"{kind}-{n}.json", frame)
# Bad frames the server must answer with an error, not a crash.
write("client_frame", "bad-version.json", '{"v":2,"type":"presence.set","presence":"online"}')
write("client_frame", "bad-no-version.json", '{"type":"hello"}')
write("client_frame", "bad-not-object.json", '[1,2,3]')
write("client_frame", "bad-unknown-type.json", '{"v":1,"rid":3,"type":"nope"}')

# --- cobrowse_header and page_body: frames and bodies --------------------
keyframe = ('{"url":"https://shop.example/cart","title":"Your cart","vw":1280,"vh":800,"sx":0,"sy":120,"doctype":"html",'
            '"root":{"i":1,"k":"e","t":"html","c":[{"i":2,"k":"e","t":"head","c":[]},'
            '{"i":3,"k":"e","t":"body","a":[["class","cart"]],"c":[{"i":4,"k":"t","x":"Hello"}]}]}}')
shadow = ('{"url":"https://shop.example/","vw":390,"vh":844,"adopted":[":root{--c:red}"],'
          '"root":{"i":1,"k":"e","t":"html","c":[{"i":2,"k":"e","t":"my-card","s":[{"i":3,"k":"t","x":"in the shadow"}],'
          '"sa":[":host{color:red}"]},{"i":4,"k":"e","t":"svg","ns":"svg","c":[]},'
          '{"i":5,"k":"e","t":"iframe","d":{"i":6,"k":"e","t":"html","c":[{"i":7,"k":"t","x":"framed"}]}},'
          '{"i":8,"k":"e","t":"style","css":"p{margin:0}","later":{"a":[1]}}]}}')
delta = ('{"ops":[{"o":"add","p":3,"b":4,"n":{"i":9,"k":"e","t":"p","c":[{"i":10,"k":"t","x":"New"}]}},'
         '{"o":"attr","i":3,"n":"class","v":"cart busy"},{"o":"val","i":7,"v":"••••"},'
         '{"o":"scroll","i":0,"x":0,"y":300},{"o":"mouse","x":412,"y":96}]}')
delta_all = ('{"ops":[{"o":"rm","i":6},{"o":"txt","i":4,"x":"é ✓"},{"o":"attr","i":5,"n":"class"},'
             '{"o":"chk","i":7,"c":true},{"o":"css","i":8,"css":"a{}"},{"o":"adopt","i":0,"sheets":["b{}"]},'
             '{"o":"vp","w":1280,"h":720},{"o":"click","x":1.5,"y":2},{"o":"sel","r":[[4,0,4,3]]},'
             '{"o":"canvas","i":9,"d":"data:image/png;base64,AA=="},{"o":"add","p":2,"s":true,"n":{"i":11,"k":"t","x":"s"}}]}')
pointer = '{"ops":[{"o":"mouse","x":1,"y":1}]}'
for name, body in [("keyframe", keyframe), ("keyframe-shadow-frame-svg", shadow),
                   ("delta", delta), ("delta-every-op", delta_all), ("pointer", pointer),
                   ("delta-empty", '{"ops":[]}'),
                   ("keyframe-deep", '{"url":"u","vw":1,"vh":1,"root":' + '{"i":1,"k":"e","t":"div","c":[' * 40
                    + '{"i":2,"k":"t","x":"x"}' + ']}' * 40 + '}')]:
    write("page_body", name + ".json", body)


def frame(kind, session, epoch, seq, body):
    s = session.encode()
    return bytes([1, kind, len(s)]) + s + struct.pack("<II", epoch, seq) + body.encode()


write("cobrowse_header", "keyframe", frame(1, "s_4b1f9a2c", 1, 0, keyframe))
write("cobrowse_header", "delta", frame(2, "s_4b1f9a2c", 1, 1, delta))
write("cobrowse_header", "pointer", frame(3, "s_4b1f9a2c", 1, 1, pointer))
write("cobrowse_header", "longest-session", frame(2, "s-" + "a" * 62, 2**32 - 1, 2**32 - 1, ""))
write("cobrowse_header", "bad-version", b"\x02\x01\x01a" + b"\0" * 8)
write("cobrowse_header", "bad-short", b"\x01\x01\x05ab")

# --- turn_screen: STUN/TURN datagrams (RFC 8489, 8656) ------------------
MAGIC = 0x2112A442
TID = bytes(range(1, 13))
USER, KEY, REALM = b"fuzz", b"sixteen byte key", b"tandem"  # turn::FUZZ_USER, FUZZ_KEY


def attr(t, v):
    pad = (4 - len(v) % 4) % 4
    return struct.pack(">HH", t, len(v)) + v + b"\0" * pad


def xor_peer(ip4, port):
    x = bytes(a ^ b for a, b in zip(bytes(ip4), struct.pack(">I", MAGIC)))
    return attr(0x0012, struct.pack(">BBH", 0, 1, port ^ (MAGIC >> 16)) + x)


def xor_peer6(ip6, port):
    mask = struct.pack(">I", MAGIC) + TID
    x = bytes(a ^ b for a, b in zip(ip6, mask))
    return attr(0x0012, struct.pack(">BBH", 0, 2, port ^ (MAGIC >> 16)) + x)


def stun(typ, attrs, sign=False, fingerprint=False):
    body = b"".join(attrs)
    if sign:
        body += attr(0x0006, USER) + attr(0x0014, REALM) + attr(0x0015, b"nonce123")
        head = struct.pack(">HHI", typ, len(body) + 24, MAGIC) + TID
        mac = hmac.new(KEY, head + body, hashlib.sha1).digest()
        body += attr(0x0008, mac)
    if fingerprint:
        head = struct.pack(">HHI", typ, len(body) + 8, MAGIC) + TID
        crc = (zlib.crc32(head + body) ^ 0x5354554E) & 0xFFFFFFFF
        body += attr(0x8028, struct.pack(">I", crc))
    return struct.pack(">HHI", typ, len(body), MAGIC) + TID + body


lifetime = attr(0x000D, struct.pack(">I", 600))
transport = attr(0x0019, b"\x11\0\0\0")
seeds = {
    "binding-request": stun(0x0001, [], fingerprint=True),
    "allocate-request": stun(0x0003, [transport, lifetime], sign=True),
    "refresh-request": stun(0x0004, [lifetime], sign=True),
    "create-permission-public": stun(0x0008, [xor_peer([93, 184, 216, 34], 0)], sign=True),
    "create-permission-loopback": stun(0x0008, [xor_peer([127, 0, 0, 1], 0)], sign=True),
    "create-permission-unsigned-private": stun(0x0008, [xor_peer([10, 0, 0, 1], 0)]),
    "create-permission-two-peers": stun(0x0008, [xor_peer([93, 184, 216, 34], 0), xor_peer([169, 254, 169, 254], 0)], sign=True),
    "create-permission-v6-mapped": stun(0x0008, [xor_peer6(bytes(10) + b"\xff\xff" + bytes([192, 168, 1, 1]), 0)], sign=True),
    "channel-bind-metadata": stun(0x0009, [attr(0x000C, b"\x40\x00\0\0"), xor_peer([169, 254, 169, 254], 80)], sign=True),
    "send-indication-private": stun(0x0016, [xor_peer([192, 168, 0, 10], 5000), attr(0x0013, b"hello")]),
    "send-indication-reserved-bits": stun(0x8016, [xor_peer([127, 0, 0, 1], 5000), attr(0x0013, b"hi")]),
    "create-permission-short-address": stun(0x0008, [attr(0x0012, b"\0\x01\x12")], sign=True),
    "channel-data": struct.pack(">HH", 0x4000, 4) + b"abcd",
}
for name, data in seeds.items():
    write("turn_screen", name, data)

# --- opening_hours: first byte picks the zone (UTC, Paris, Kolkata) ------
for i, spec in enumerate(["mon-fri 09:00-18:00", "mon-fri 09:00-12:00 14:00-18:00, sat 10:00-13:00",
                          "fri-mon 22:00-24:00", "sun 00:00-24:00", "always", "Mon-FRI 9:00-18:00",
                          "mon 18:00-09:00", "tue 25:00-26:00", ",,, wed 08:30-17:45 ,"]):
    write("opening_hours", f"spec-{i}", bytes([i % 3]) + spec.encode())
# Found by the fuzzer: the hour overflowed when multiplied into minutes.
write("opening_hours", "overflow-hour-549247266", b"\0sun 000549247266:00-2")

# --- site_origin: the ORIGIN of --allow-origin demo=ORIGIN ---------------
for i, origin in enumerate(["https://shop.example.com", "https://shop.example.com/", "http://localhost:3000",
                            "https://shop.example.com/path", "ftp://x", "https://", "https://é.example"]):
    write("site_origin", f"origin-{i}", origin)

# Found by the fuzzer: check_origin (server/src/cli.rs) slices the origin at
# byte 8, past the end of a bare scheme or inside a character after http://.
for name, origin in [("panic-http-scheme-only", "http://"), ("panic-https-slashes-only", "https:///"),
                     ("panic-http-char-boundary", "http://é.example")]:
    write("site_origin", name, origin)

# --- visitor_token: tokens as the server issues them ---------------------
def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


claims = b'{"vid":"v_8c2e9a2c","site":"demo","exp":1795430400000}'
payload = b64(claims)
mac = hmac.new(b"fuzz key", b"tandem-visitor-v1." + payload.encode(), hashlib.sha256).digest()
write("visitor_token", "token-good", f"{payload}.{b64(mac)}")
write("visitor_token", "token-bad-sig", f"{payload}.{b64(bytes(32))}")
write("visitor_token", "claims-json", claims)
write("visitor_token", "claims-expired", b'{"vid":"v_1","site":"demo","exp":1}')
write("visitor_token", "claims-other-site", b'{"vid":"v_1","site":"shop","exp":99999999999}')
write("visitor_token", "no-dot", "garbage")

# --- identity_token: JWTs as a site's backend signs them -------------------
# The target signs its input itself (header NUL claims, or claims alone), so
# most seeds are the parts; two are whole tokens, one good and one forged.
JWT_SECRET = b"fuzz-site-secret"
NOW = 1_800_000_000
hs256 = b'{"alg":"HS256","typ":"JWT"}'


def jwt(header, claims):
    signing_input = f"{b64(header)}.{b64(claims)}"
    sig = hmac.new(JWT_SECRET, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(sig)}"


good = json.dumps({"sub": "user-42", "exp": NOW + 3600, "name": "Ana", "email": "ana@example.com"}).encode()
write("identity_token", "token-good", jwt(hs256, good))
write("identity_token", "token-forged", jwt(hs256, good).rsplit(".", 1)[0] + "." + b64(bytes(32)))
write("identity_token", "claims-good", good)
write("identity_token", "claims-all-dates", json.dumps(
    {"sub": "u", "exp": NOW + 60.5, "nbf": NOW - 10, "iat": NOW - 10}).encode())
write("identity_token", "claims-expired", json.dumps({"sub": "u", "exp": NOW - 3600}).encode())
write("identity_token", "claims-too-long-lived", json.dumps({"sub": "u", "exp": NOW + 30 * 86400}).encode())
write("identity_token", "claims-no-sub", json.dumps({"exp": NOW + 60}).encode())
write("identity_token", "claims-not-yet", json.dumps({"sub": "u", "exp": NOW + 60, "nbf": NOW + 3600}).encode())
write("identity_token", "header-none", b'{"alg":"none"}\x00' + good)
write("identity_token", "header-crit", b'{"alg":"HS256","crit":["exp"]}\x00' + good)
write("identity_token", "header-typ", b'{"alg":"HS256","typ":"at+jwt"}\x00' + good)
write("identity_token", "two-parts", "e30.e30")
