import { pino, type DestinationStream, type Logger } from 'pino';
import { redactError, redactText, redactValue } from './redact.js';

export { redactUrl } from './redact.js';

/** Keys whose values never reach a log line, wherever they sit in the logged object. */
const secretKeys = ['pass', 'password', 'secret', 'token', 'apiToken', 'webhookToken', 'authorization'];

/**
 * The secrets the logger replaces wherever they appear: the configuration's at start (src/redact.ts
 * configSecrets), and those of every channel added later, on the page, which the logger must censor
 * from the moment the channel exists, though it was made before.
 */
export class LogSecrets {
  private pieces: readonly string[];

  constructor(initial: readonly string[] = []) {
    this.pieces = [...new Set(initial)];
  }

  add(pieces: readonly string[]): void {
    const fresh = pieces.filter((p) => !this.pieces.includes(p));
    if (fresh.length > 0) this.pieces = [...this.pieces, ...fresh];
  }

  current(): readonly string[] {
    return this.pieces;
  }
}

export interface LoggerOptions {
  /** Pretty lines for a person at a terminal; JSON lines otherwise. */
  pretty?: boolean;
  /** The secrets replaced wherever they appear: a fixed list, or one that grows as channels are added. */
  secrets?: readonly string[] | LogSecrets;
  /** Where the lines go (tests); standard output otherwise. */
  destination?: DestinationStream;
}

/**
 * JSON lines for machines; pretty only when a person is watching a terminal. Secrets are censored:
 * by key, and every URL in a message or a field is redacted (src/redact.ts), errors included.
 */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const { pretty = process.stdout.isTTY === true, destination } = options;
  const secrets = options.secrets instanceof LogSecrets ? options.secrets : new LogSecrets(options.secrets);
  const settings = {
    name: 'vigil',
    level,
    redact: { paths: [...secretKeys, ...secretKeys.map((k) => `*.${k}`)], censor: '[redacted]' },
    formatters: {
      log: (object: Record<string, unknown>) => redactValue(object, secrets.current()) as Record<string, unknown>,
    },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) =>
            typeof a === 'string'
              ? redactText(a, secrets.current())
              : a instanceof Error
                ? redactError(a, secrets.current())
                : a,
          ),
        );
      },
    },
    ...(pretty && !destination ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  };
  return destination ? pino(settings, destination) : pino(settings);
}
