import type { ContainerDetail, HealthSource } from '../../src/http/api-types.js';
import { healthSourceText, probeLines } from './probe-text.js';
import { html } from './html.js';

/**
 * The detail view's health: where it comes from, the image's HEALTHCHECK log, vigil's own probes beside
 * it, and the probe labels vigil could not use (so a typo in a label is seen, not silently ignored).
 */
export function HealthPanel({ detail, source }: { detail: ContainerDetail | null; source: HealthSource | undefined }) {
  const check = detail?.healthCheck;
  const probe = detail?.probe;
  return html`<section class="panel" data-testid="health">
    <h2>Health check ${source ? html`<span class="dim">${healthSourceText(source)}</span>` : null}</h2>
    ${
      check
        ? html`<h3>HEALTHCHECK <span class="dim">${check.status}, failing ${check.failingStreak} in a row</span></h3>
            <ol class="list probes">
              ${check.log.map((p) => html`<li><time class="dim">${p.end.slice(11, 19)}</time> exit code ${p.exitCode} ${p.output.trim()}</li>`)}
            </ol>`
        : probe
          ? html`<p class="dim">No HEALTHCHECK in the image.</p>`
          : html`<p class="dim">No HEALTHCHECK in the image and no <code>vigil.probe.*</code> label.</p>`
    }
    ${
      probe
        ? html`<h3>vigil's probes <span class="dim">${probe.status}</span></h3>
            <ul class="list probes" data-testid="probe">
              ${probeLines(probe).map((line) => html`<li>${line}</li>`)}
            </ul>`
        : null
    }
    ${
      detail?.probeError
        ? html`<p role="alert" class="error" data-testid="probe-error">Probe labels not used: ${detail.probeError}</p>`
        : null
    }
  </section>`;
}
