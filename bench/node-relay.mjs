// What many teams run today: a WebSocket relay in Node with the npm `ws`
// package, used by `cargo xtask bench` as a baseline beside Tandem.
//
//   node bench/node-relay.mjs [--listen 127.0.0.1:0]   → prints RELAY_READY http://…
//
// GET /ws?pair=K&side=visitor|agent; a text frame from one side goes to the
// other side of the same pair, nothing else (the same contract as the bare
// axum relay in loadgen/src/bin/bare_relay.rs).

import { WebSocketServer } from 'ws';

const at = process.argv.indexOf('--listen');
const [host, port] = (at > 0 ? process.argv[at + 1] : '127.0.0.1:0').split(':');

// `${pair}/${side}` → socket.
const sockets = new Map();

// Compression off: the other relays and Tandem do not compress either.
const wss = new WebSocketServer({ host, port: Number(port), path: '/ws', perMessageDeflate: false });

wss.on('connection', (ws, req) => {
  const q = new URL(req.url, 'http://relay').searchParams;
  const pair = q.get('pair');
  const side = q.get('side') === 'visitor' ? 'visitor' : 'agent';
  const mine = `${pair}/${side}`;
  const theirs = `${pair}/${side === 'visitor' ? 'agent' : 'visitor'}`;
  sockets.set(mine, ws);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const peer = sockets.get(theirs);
    if (peer) peer.send(data, { binary: false });
  });
  ws.on('close', () => {
    if (sockets.get(mine) === ws) sockets.delete(mine);
  });
});

wss.on('listening', () => {
  const a = wss.address();
  console.log(`RELAY_READY http://${a.address}:${a.port}`);
});
