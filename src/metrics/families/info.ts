import { promLabelName } from '../label-names.js';
import type { CollectorFamily } from '../view.js';

/** docker_container_info: identity, compose membership and the allowlisted Docker labels, value 1. */
export const infoFamily: CollectorFamily = {
  name: 'info',
  metrics(options) {
    const allowlisted = options.labels.map((label) => ({ label, prom: promLabelName(label) }));
    return [
      {
        kind: 'info',
        name: 'docker_container_info',
        help: 'Container metadata; always 1. Docker labels appear only when listed in VIGIL_LABELS.',
        labels({ record }) {
          const labels: Record<string, string> = {
            image: record.image,
            compose_project: record.labels['com.docker.compose.project'] ?? '',
            compose_service: record.labels['com.docker.compose.service'] ?? '',
          };
          for (const { label, prom } of allowlisted) labels[prom] = record.labels[label] ?? '';
          return labels;
        },
      },
    ];
  },
};
