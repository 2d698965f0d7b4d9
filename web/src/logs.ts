import { useEffect, useRef, useState } from 'preact/hooks';
import { appendLines, filterLines, isLogLine, lineTime, parseSseLog, prependLines, type LogLine } from './log-lines.js';
import { html } from './html.js';

const TAIL = 200;
const EARLIER = 500;

interface Ended {
  reason: string;
  exitCode?: number;
}

/**
 * One container's log over the WebSocket `logs` topic. A followed log that ends because the container
 * stopped is not opened again (the server said why; the line says it too) until the container runs again;
 * one whose socket dropped is opened again after a pause, its tail laid against what is held.
 */
export function LogViewer({ name, running }: { name: string; running: boolean }) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [ended, setEnded] = useState<Ended | null>(null);
  const [follow, setFollow] = useState(true);
  const [search, setSearch] = useState('');
  const [stream, setStream] = useState<'all' | 'stdout' | 'stderr'>('all');
  const [earlier, setEarlier] = useState<'idle' | 'loading' | 'none'>('idle');
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    let closed = false;
    let socket: WebSocket | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/ws`;
      socket = new WebSocket(url);
      let finished = false;
      socket.onopen = () =>
        socket?.send(JSON.stringify({ type: 'subscribe', topics: ['logs'], containers: [name], tail: TAIL }));
      socket.onmessage = (e: MessageEvent<string>) => {
        const m: unknown = JSON.parse(e.data);
        if (typeof m !== 'object' || m === null || !('type' in m) || !('data' in m)) return;
        const { type, data } = m;
        if (type === 'log' && isLogLine(data)) {
          setEnded(null);
          setLines((held) => appendLines(held, [data]));
        } else if (type === 'log:end' && typeof data === 'object' && data !== null) {
          finished = true;
          const reason = 'reason' in data && typeof data.reason === 'string' ? data.reason : 'the log ended';
          const exitCode = 'exitCode' in data && typeof data.exitCode === 'number' ? data.exitCode : undefined;
          setEnded(exitCode === undefined ? { reason } : { reason, exitCode });
          socket?.close();
        }
      };
      socket.onclose = () => {
        if (closed || finished) return;
        retry = setTimeout(open, 2000);
      };
    };
    open();
    return () => {
      closed = true;
      clearTimeout(retry);
      socket?.close();
    };
    // opened again when the container runs again: its new lines follow the held ones
  }, [name, running]);

  useEffect(() => {
    const el = box.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [lines, follow]);

  const loadEarlier = async () => {
    setEarlier('loading');
    const have = lines.length;
    const res = await fetch(`/api/v1/containers/${encodeURIComponent(name)}/logs?follow=false&tail=${have + EARLIER}`);
    const read = parseSseLog(await res.text());
    const next = prependLines(lines, read);
    setEarlier(next.length === have ? 'none' : 'idle');
    setLines(next);
  };

  const shown = filterLines(lines, search, stream);
  return html`<section class="panel" aria-label="Logs">
    <h2>Logs <span class="dim">${shown.length} of ${lines.length} lines</span></h2>
    <div class="log-tools">
      <label
        >Search
        <input type="search" value=${search} onInput=${(e: Event) => setSearch((e.target as HTMLInputElement).value)}
      /></label>
      <label
        >Stream
        <select
          value=${stream}
          onChange=${(e: Event) => setStream((e.target as HTMLSelectElement).value as typeof stream)}
        >
          <option value="all">both</option>
          <option value="stdout">stdout</option>
          <option value="stderr">stderr</option>
        </select></label
      >
      <button type="button" aria-pressed=${follow} onClick=${() => setFollow(!follow)}>
        ${follow ? 'Pause' : 'Follow'}
      </button>
      <button type="button" disabled=${earlier !== 'idle'} onClick=${() => void loadEarlier()}>
        ${earlier === 'none' ? 'No earlier lines' : earlier === 'loading' ? 'Loading…' : 'Load earlier'}
      </button>
    </div>
    <pre class="logs" tabindex="0" aria-label=${`Logs of ${name}`} ref=${box}>
      ${shown.map(
        (l) =>
          html`<span class=${`line ${l.stream}`} data-stream=${l.stream}
            ><time class="dim">${lineTime(l.timestamp)}</time> ${l.message}</span
          >`,
      )}
      ${lines.length === 0 && !ended ? html`<span class="line dim">No lines yet: the container has written nothing.</span>` : null}
      ${ended ? html`<span class="line end" data-testid="log-end">── ${endText(ended)} ──</span>` : null}
    </pre>
  </section>`;
}

/** Pure: the line under a finished log: "container stopped (exit code 1)". */
export function endText(end: Ended): string {
  return `${end.reason}${end.exitCode !== undefined ? ` (exit code ${end.exitCode})` : ''}`;
}
