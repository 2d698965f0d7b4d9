import { Gauge } from 'prom-client';
import { promLabelName } from '../../config.js';
import { containerLabels, type CollectorFamily } from '../view.js';

/** docker_container_info: identity, compose membership and the allowlisted Docker labels, value 1. */
export const infoFamily: CollectorFamily = {
  name: 'info',
  register(registry, view, options) {
    const allowlisted = options.labels.map((label) => ({ label, prom: promLabelName(label) }));
    new Gauge({
      name: 'docker_container_info',
      help: 'Container metadata; always 1. Docker labels appear only when listed in VIGIL_LABELS.',
      labelNames: ['id', 'name', 'image', 'compose_project', 'compose_service', ...allowlisted.map((a) => a.prom)],
      registers: [registry],
      collect() {
        this.reset();
        for (const entry of view.containers()) {
          const { record } = entry;
          const labels: Record<string, string> = {
            ...containerLabels(entry),
            image: record.image,
            compose_project: record.labels['com.docker.compose.project'] ?? '',
            compose_service: record.labels['com.docker.compose.service'] ?? '',
          };
          for (const { label, prom } of allowlisted) labels[prom] = record.labels[label] ?? '';
          this.set(labels, 1);
        }
      },
    });
  },
};
