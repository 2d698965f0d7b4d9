import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function fixtureText(path: string): string {
  return readFileSync(`${root}${path}`, 'utf8');
}

export function fixtureJson<T>(path: string): T {
  return JSON.parse(fixtureText(path)) as T;
}
