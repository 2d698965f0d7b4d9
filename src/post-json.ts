import { redactUrl } from './logger.js';

export interface PostOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** Why a post failed, in words for a channel's lastError or a client's 502: where, and what came back. */
export class PostError extends Error {
  constructor(
    message: string,
    /** The other side's status, when it answered at all. */
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'PostError';
  }
}

/**
 * Posts JSON (a string is sent as it is, so that a signature over it holds) and resolves with the
 * parsed answer. One way for every outbound call (webhook and chat channels, Alertmanager silences):
 * a timeout, no redirects (a redirect could carry a signed body or a token elsewhere), only 2xx counts,
 * and an error that names the target without its credentials. axios loads on first use: most vigils
 * never post, and it is a sizeable share of vigil's memory.
 */
export async function postJson(url: string, body: unknown, options: PostOptions = {}): Promise<unknown> {
  const { default: axios, isAxiosError } = await import('axios');
  try {
    const res = await axios.post(url, typeof body === 'string' ? body : JSON.stringify(body), {
      headers: { 'content-type': 'application/json', ...options.headers },
      timeout: options.timeoutMs ?? 10_000,
      maxRedirects: 0,
      validateStatus: (s) => s >= 200 && s < 300,
    });
    return res.data;
  } catch (err) {
    if (isAxiosError(err) && err.response) {
      const answer =
        typeof err.response.data === 'string' ? err.response.data : JSON.stringify(err.response.data ?? '');
      const status = err.response.status;
      throw new PostError(`${redactUrl(url)} answered ${status}: ${answer.slice(0, 200)}`, status);
    }
    throw new PostError((err as Error).message, null);
  }
}
