import test from 'ava';
import { bearerMatches } from '../../src/http/auth.js';

const token = 'correct-horse-battery-staple';

test('the right bearer token matches, whatever the scheme case', (t) => {
  t.true(bearerMatches(`Bearer ${token}`, token));
  t.true(bearerMatches(`bearer ${token}`, token));
});

test('a wrong, truncated, missing or differently-schemed token does not', (t) => {
  t.false(bearerMatches('Bearer wrong', token));
  t.false(bearerMatches(`Bearer ${token.slice(0, -1)}`, token));
  t.false(bearerMatches(undefined, token));
  t.false(bearerMatches(`Basic ${token}`, token));
  t.false(bearerMatches(`Bearer ${token} extra`, token));
});
