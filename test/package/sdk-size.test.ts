/**
 * Size budgets, measured as `npm run bench:size` measures them (esbuild, minified, GNU
 * `gzip -9`): `RoomClient` alone, as an app that builds its own UI bundles it, and the
 * drop-in bundle a page loads, from the build `npm test` ran before this suite.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ROOM_CLIENT_ALONE, bundleSize, sizeOf } from '../../bench/size.js';

test('RoomClient alone is at most 8 KiB minified and gzipped', async () => {
  const { gz } = await bundleSize(ROOM_CLIENT_ALONE);
  console.log(`RoomClient alone: ${gz} B min+gz`);
  assert.ok(gz <= 8 * 1024, `${gz} B > 8192 B`);
});

test('the drop-in bundle is at most 25 KB minified and gzipped', () => {
  const { gz } = sizeOf(readFileSync('packages/sdk/dist/kurento-room.bundle.js'));
  console.log(`drop-in bundle: ${gz} B min+gz`);
  assert.ok(gz <= 25_000, `${gz} B > 25,000 B`);
});
