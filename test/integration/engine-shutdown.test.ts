import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DockerodeEngine } from '../../src/docker/engine.js';
import { parseEngineEventLine } from '../../src/docker/parse/events.js';
import type { ContainerEvent } from '../../src/docker/types.js';
import type { NewConnectionVerdict } from '../../src/docker/unreachable.js';
import { runContainer } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { PrivateEngine } from '../helpers/private-engine.js';

// What the medic's judgement of an engine's shutdown rests on (src/recovery/intent/shutdown-witness.ts),
// on the real engine: dockerd told to stop takes no new connection from that moment (its own socket
// refuses it; a socket systemd holds leaves it unanswered), while the event stream it already serves
// goes on telling of the kills and deaths of its containers. Over a unix socket, TLS, and a held socket.

/** The engine's client as vigil makes it, with the TLS variables Docker's CLI reads when given. */
function clientOf(host: string, tlsCerts?: string): DockerodeEngine {
  const saved = { verify: process.env.DOCKER_TLS_VERIFY, certs: process.env.DOCKER_CERT_PATH };
  if (tlsCerts) Object.assign(process.env, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tlsCerts });
  try {
    return new DockerodeEngine(host);
  } finally {
    for (const [name, value] of [
      ['DOCKER_TLS_VERIFY', saved.verify],
      ['DOCKER_CERT_PATH', saved.certs],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

interface Heard {
  event: ContainerEvent;
  /** What a new connection met, asked the moment the event was read. */
  newConnection: NewConnectionVerdict;
}

/** Stops the engine (SIGTERM) with one container running, and keeps what the event stream told until it ended. */
async function shutDownWhileListening(engine: PrivateEngine, client: DockerodeEngine): Promise<Heard[]> {
  const stream = await client.events(null, new AbortController().signal);
  const heard: Promise<Heard>[] = [];
  const ended = (async () => {
    try {
      for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
        const event = parseEngineEventLine(line);
        if (event) heard.push(client.probeNewConnection().then((newConnection) => ({ event, newConnection })));
      }
    } catch {
      // the engine hung up as it exited: the stream's end
    }
  })();
  process.kill(Number(readFileSync(join(engine.dir, 'docker.pid'), 'utf8')), 'SIGTERM');
  await ended;
  return Promise.all(heard);
}

const transports = {
  unix: { engine: {}, afterKill: 'refused' },
  tls: { engine: {}, afterKill: 'refused' },
  // systemd's docker.socket (Debian's and Docker's packages): the socket stays open, nobody answers
  'unix, the socket held by another process': { engine: { socketActivated: true }, afterKill: 'unanswered' },
} as const;

for (const [transport, expected] of Object.entries(transports)) {
  test(`over ${transport}: dockerd told to stop takes no new connection while its stream still tells of the kill and the death`, async (t) => {
    const tls = transport === 'tls';
    const engine = new PrivateEngine(tls ? { tlsPort: await freePort() } : expected.engine);
    t.teardown(() => engine.destroy());
    await engine.up();
    // busybox sleep as PID 1 ignores SIGTERM: it dies of the SIGKILL 2 s later, long after the refusal
    await runContainer('outlives-the-term', ['--stop-timeout', '2'], ['sleep', '100000'], engine.host);
    const client = tls ? clientOf(engine.tlsHost, engine.certPath) : clientOf(engine.host);
    t.is(await client.probeNewConnection(), 'accepted', 'a running engine takes a new connection');

    const heard = await shutDownWhileListening(engine, client);
    t.log(heard.map((h) => `${h.event.action}: ${h.newConnection}`).join(', '));
    const actions = heard.map((h) => h.event.action);
    t.deepEqual(actions.slice(0, 1), ['kill'], 'the stream told of the kill');
    t.true(actions.includes('die'), 'and of the death, after the listener had closed');
    for (const { event, newConnection } of heard) t.is(newConnection, expected.afterKill, `after the ${event.action}`);
  });
}
