import { pino, type DestinationStream, type Logger } from 'pino';
import { redactError, redactText, redactValue } from './redact.js';

export { redactUrl } from './redact.js';

/** Keys whose values never reach a log line, wherever they sit in the logged object. */
const secretKeys = ['pass', 'password', 'secret', 'token', 'apiToken', 'webhookToken', 'authorization'];

export interface LoggerOptions {
  /** Pretty lines for a person at a terminal; JSON lines otherwise. */
  pretty?: boolean;
  /** The configuration's secrets (src/redact.ts configSecrets): replaced wherever they appear. */
  secrets?: readonly string[];
  /** Where the lines go (tests); standard output otherwise. */
  destination?: DestinationStream;
}

/**
 * JSON lines for machines; pretty only when a person is watching a terminal. Secrets are censored:
 * by key, and every URL in a message or a field is redacted (src/redact.ts), errors included.
 */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const { pretty = process.stdout.isTTY === true, secrets = [], destination } = options;
  const settings = {
    name: 'vigil',
    level,
    redact: { paths: [...secretKeys, ...secretKeys.map((k) => `*.${k}`)], censor: '[redacted]' },
    formatters: { log: (object: Record<string, unknown>) => redactValue(object, secrets) as Record<string, unknown> },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) =>
            typeof a === 'string' ? redactText(a, secrets) : a instanceof Error ? redactError(a, secrets) : a,
          ),
        );
      },
    },
    ...(pretty && !destination ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  };
  return destination ? pino(settings, destination) : pino(settings);
}
