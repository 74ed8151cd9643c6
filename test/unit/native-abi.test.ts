/**
 * scripts/native-abi.mjs (prestart / pretest): which modules it rebuilds, for which ABI, with which
 * command. Electron cannot be downloaded here, so the decisions are checked in plain Node and the real
 * script only in --dry-run.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ABI_BOUND, commandFor, plan } from '../../scripts/native-abi.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const script = path.join(root, 'scripts', 'native-abi.mjs');
const NODE = process.versions.modules;
const ELECTRON = '150';

describe('native-abi plan', () => {
  it('only the V8-ABI modules are managed; the Node-API ones (node-hid, serialport) never are', () => {
    expect(ABI_BOUND).toEqual(['better-sqlite3', '@pokusew/pcsclite']);
  });

  it('for Electron: rebuilds the modules built for Node, keeps those already built for Electron', () => {
    const p = plan({
      target: 'electron',
      targetAbi: ELECTRON,
      targetVersion: '45.5.0',
      modules: [
        { id: 'better-sqlite3', present: true, builtFor: NODE },
        { id: '@pokusew/pcsclite', present: true, builtFor: ELECTRON },
      ],
    });
    expect(p.rebuild).toEqual(['better-sqlite3']);
    expect(p.skip).toEqual([{ id: '@pokusew/pcsclite', why: `already built for ABI ${ELECTRON}` }]);
  });

  it('an optional module that was never built is left alone (nothing to rebuild)', () => {
    const p = plan({
      target: 'electron',
      targetAbi: ELECTRON,
      targetVersion: '45.5.0',
      modules: [
        { id: 'better-sqlite3', present: true, builtFor: NODE },
        { id: '@pokusew/pcsclite', present: false },
      ],
    });
    expect(p.rebuild).toEqual(['better-sqlite3']);
    expect(p.skip[0]!.id).toBe('@pokusew/pcsclite');
  });

  it('for Node (pretest): switches back what npm start built for Electron, and nothing else', () => {
    const p = plan({
      target: 'node',
      targetAbi: NODE,
      targetVersion: process.versions.node,
      modules: [
        { id: 'better-sqlite3', present: true, builtFor: ELECTRON },
        { id: '@pokusew/pcsclite', present: true, builtFor: NODE },
      ],
    });
    expect(p.rebuild).toEqual(['better-sqlite3']);
    const cmd = commandFor(p, { electronVersion: '45.5.0', root })!;
    expect([cmd.cmd, ...cmd.args]).toEqual(['npm', 'rebuild', 'better-sqlite3']);
  });

  it('the Electron command is @electron/rebuild --only those modules, without npm_config_nodedir', () => {
    const p = plan({
      target: 'electron',
      targetAbi: ELECTRON,
      targetVersion: '45.5.0',
      modules: ABI_BOUND.map((id) => ({ id, present: true, builtFor: NODE })),
    });
    const cmd = commandFor(p, {
      electronVersion: '45.5.0',
      root,
      env: { PATH: '/usr/bin', npm_config_nodedir: '/usr/include/node', NPM_CONFIG_NODEDIR: '/x' },
    })!;
    expect(cmd.args[0]).toContain(path.join('@electron', 'rebuild'));
    expect(cmd.args).toEqual(
      expect.arrayContaining(['--version', '45.5.0', '--only', 'better-sqlite3,@pokusew/pcsclite']),
    );
    expect(cmd.args.join(' ')).not.toMatch(/node-hid|serialport|install-app-deps/);
    expect(cmd.env).toEqual({ PATH: '/usr/bin' });
  });

  it('nothing to do gives no command', () => {
    const p = plan({
      target: 'node',
      targetAbi: NODE,
      targetVersion: process.versions.node,
      modules: ABI_BOUND.map((id) => ({ id, present: true, builtFor: NODE })),
    });
    expect(commandFor(p, { electronVersion: '45.5.0', root })).toBeUndefined();
  });
});

describe('native-abi script (--dry-run, plain Node)', () => {
  const dry = (target: string) =>
    JSON.parse(
      execFileSync(process.execPath, [script, target, '--dry-run', '--json'], {
        encoding: 'utf8',
        env: { ...process.env, npm_config_nodedir: '/somewhere/node-headers' },
      }),
    ) as { rebuild: string[]; targetAbi: string; command: string | null; nodedirCleared: boolean };

  it('for Node: the build the tests use is already right, nothing is rebuilt', () => {
    const r = dry('node');
    expect(r.targetAbi).toBe(NODE);
    expect(r.rebuild).toEqual([]);
    expect(r.command).toBeNull();
  });

  it("for Electron: Electron's ABI, only ABI-bound modules, --only, nodedir cleared", () => {
    const r = dry('electron');
    expect(r.targetAbi).not.toBe(NODE);
    expect(r.rebuild.length).toBeGreaterThan(0);
    for (const id of r.rebuild) expect(ABI_BOUND).toContain(id);
    expect(r.command).toContain(`--only ${r.rebuild.join(',')}`);
    expect(r.nodedirCleared).toBe(true);
  });
});
