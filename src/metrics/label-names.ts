/** Prometheus label names allow [a-zA-Z_][a-zA-Z0-9_]*; a Docker label becomes `label_<sanitized>`. */
export function promLabelName(dockerLabel: string): string {
  return `label_${dockerLabel.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}
