import { pino, type Logger } from 'pino';

/** JSON lines for machines; pretty only when a person is watching a terminal. */
export function createLogger(level: string, pretty = process.stdout.isTTY === true): Logger {
  return pino({
    name: 'vigil',
    level,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}
