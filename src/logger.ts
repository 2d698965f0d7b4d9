import { pino, type Logger } from 'pino';

/** Keys whose values never reach a log line, wherever they sit in the logged object. */
const secretKeys = ['pass', 'password', 'secret', 'token', 'apiToken', 'webhookToken', 'authorization'];

/** JSON lines for machines; pretty only when a person is watching a terminal. Secrets are censored. */
export function createLogger(level: string, pretty = process.stdout.isTTY === true): Logger {
  return pino({
    name: 'vigil',
    level,
    redact: { paths: [...secretKeys, ...secretKeys.map((k) => `*.${k}`)], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}

/** Pure: a URL fit for a log line: user and password removed, and the query (where tokens live) too. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const hadCredentials = u.username !== '' || u.password !== '';
    u.username = '';
    u.password = '';
    if (u.search) u.search = '?…';
    return `${hadCredentials ? '(credentials removed) ' : ''}${u.toString()}`;
  } catch {
    return '(an unparseable URL)';
  }
}
