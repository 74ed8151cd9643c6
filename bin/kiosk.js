#!/usr/bin/env node
// Entry point of the `kiosk` command. The CLI is TypeScript run through tsx, so the same
// sources serve the CLI, the tests and the Electron main process (which electron-vite bundles).
import { register } from 'tsx/esm/api';

register();
await import('../electron/cli/main.ts');
