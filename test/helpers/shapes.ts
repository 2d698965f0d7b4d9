/**
 * The JSON shapes DESIGN.md fixes for the API, NATS and the WebSocket, as sorted key lists: one place
 * to change when a shape grows (restarts was added for the status page, issue 10).
 */
export const containerSummaryKeys = [
  'health',
  'id',
  'image',
  'labels',
  'lastHealthCheck',
  'name',
  'resources',
  'restarts',
  'status',
  'uptime',
];
