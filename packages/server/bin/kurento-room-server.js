#!/usr/bin/env node
// `npx kurento-room-server`: the reference server as `npm start` runs it, from the compiled
// dist/ (configured by environment variables; `kurento-room-server --help` lists them).
import '../dist/main.js';
