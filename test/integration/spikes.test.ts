import test from 'ava';
import { isEvent, type EventOfType, type VigilEvent, type VigilEventType } from '../../src/streams/events.js';
import { docker, removeContainers, runContainer, uniqueName, waitFor } from '../helpers/engine.js';
import { freePort } from '../helpers/net.js';
import { TestSmtpServer } from '../helpers/smtp.js';
import { startVigilWithChannels, type RunningVigil } from '../helpers/vigil.js';

let vigil: RunningVigil;
let smtp: TestSmtpServer;
const events: VigilEvent[] = [];
const name = uniqueName('burner');

test.before(async () => {
  smtp = new TestSmtpServer(await freePort());
  await smtp.start();
  vigil = await startVigilWithChannels([smtp.channel()], {
    VIGIL_SAMPLE_INTERVAL_SECONDS: '0.5',
    VIGIL_NOTIFY_GROUP_SECONDS: '0',
    VIGIL_SPIKE_NOTIFY: 'always',
  });
  vigil.vigil.bus.on('event', (e) => events.push(e));
});

test.after.always(async () => {
  await vigil?.stop();
  await smtp?.stop();
  await removeContainers([name]);
});

const ofBurner = <T extends VigilEventType>(type: T): EventOfType<T>[] =>
  events.filter(isEvent(type)).filter((e) => e.container?.name === name);

test.serial(
  'a container burning CPU past its own low line gives one spike event, one notification and an alert; its end gives resource.normal',
  async (t) => {
    // its line at 1 % of its half core: a busy loop crosses it however little of a core a loaded machine
    // leaves it, and a sleeping shell stays under it
    await runContainer(
      name,
      [
        '--cpus',
        '0.5',
        '--label',
        'vigil.cpu.warn=1',
        '--label',
        'vigil.cpu.crit=500',
        '--label',
        'vigil.spike.for=1s',
      ],
      ['sh', '-c', 'yes > /dev/null & echo $! > /tmp/burn; exec sleep 100000'],
    );
    const spike = await waitFor(() => ofBurner('resource.spike')[0], { what: 'the spike', timeoutMs: 20_000 });
    t.like(spike.data, { resource: 'cpu', level: 'warning', warn: 1, forSeconds: 1 });
    t.true(spike.data.percent > 1);
    const alerts = (await (await vigil.get('/api/v1/alerts')).json()) as {
      alerts: { alertname: string; container: string | null; severity: string }[];
    };
    t.like(
      alerts.alerts.find((a) => a.container === name),
      // vigil's own, and not labelled vigil.spike.action=restart: vigil does nothing about it, a person must
      { alertname: 'VigilCpuSpike', severity: 'warning', source: 'vigil', actionRequired: true },
    );

    await docker(['exec', name, 'sh', '-c', 'kill $(cat /tmp/burn)']);
    const normal = await waitFor(() => ofBurner('resource.normal')[0], { what: 'back to normal', timeoutMs: 20_000 });
    t.like(normal.data, { resource: 'cpu', level: 'normal', previous: 'warning' });
    // their text tells the spike from its end; a mail is this container's when it names it (other test
    // files' containers share the engine, and news of theirs sent at the same moment goes in the same
    // mail, whose subject then lists at most five names)
    const about = () => smtp.mails.filter((m) => m.raw.includes(name));
    await waitFor(() => about().some((m) => /back below its line/.test(m.raw)), { what: 'the mail of its end' });
    const spikeMails = about().filter((m) => /has been over 1 % of its limit/.test(m.raw));
    t.is(spikeMails.length, 1, 'one notification for one spike');
    t.is(ofBurner('resource.spike').length, 1);
    const after = (await (await vigil.get('/api/v1/alerts')).json()) as { alerts: { container: string | null }[] };
    t.false(
      after.alerts.some((a) => a.container === name),
      'the alert resolved with the spike',
    );
  },
);
