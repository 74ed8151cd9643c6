/**
 * The layer rules (.dependency-cruiser.cjs) hold on the real tree, and each kind of wrong import is
 * rejected: a miniature tree with the project's folder names, one bad import per case, cruised with the
 * project's own rule set.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { cruise } from 'dependency-cruiser';
import { tempDir } from '../support/tmp';

const require = createRequire(import.meta.url);
const root = path.resolve(__dirname, '../..');
const config = require(path.join(root, '.dependency-cruiser.cjs')) as {
  forbidden: { name: string }[];
  options: Record<string, unknown>;
};

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

async function violations(baseDir: string, dirs: string[]): Promise<Violation[]> {
  const cwd = process.cwd();
  process.chdir(baseDir);
  try {
    const result = await cruise(dirs, {
      ruleSet: { forbidden: config.forbidden } as never,
      validate: true,
      doNotFollow: { path: 'node_modules' },
      tsPreCompilationDeps: true,
    });
    const out = result.output as { summary: { violations: Violation[] } };
    return out.summary.violations;
  } finally {
    process.chdir(cwd);
  }
}

const tmp = tempDir('layers-');

/** Writes a miniature tree: each file exports one constant and imports what `imports` says. */
function tree(name: string, files: Record<string, string[]>): string {
  const dir = path.join(tmp, name);
  for (const [file, imports] of Object.entries(files)) {
    const abs = path.join(dir, file);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    const lines = imports.map((imp, i) => {
      if (!imp.startsWith('.') && !imp.includes('/')) return `import * as m${i} from '${imp}';`;
      let rel = path.relative(path.dirname(abs), path.join(dir, imp)).replace(/\.tsx?$/, '');
      if (!rel.startsWith('.')) rel = './' + rel;
      return `import * as m${i} from '${rel}';`;
    });
    const uses = imports.map((_, i) => `m${i}`).join(', ');
    fs.writeFileSync(abs, `${lines.join('\n')}\nexport const used = [${uses}];\n`);
  }
  return dir;
}

describe('layer rules', () => {
  it('hold on the project itself', async () => {
    expect(await violations(root, ['native', 'electron', 'renderer'])).toEqual([]);
  }, 60_000);

  const cases: [string, string, Record<string, string[]>][] = [
    [
      'icao-layer',
      'ICAO code importing CCCD code',
      {
        'native/icao/sod.ts': ['native/cccd/qr.ts'],
        'native/cccd/qr.ts': [],
      },
    ],
    [
      'iso7816-layer',
      'ISO 7816 importing a transport',
      {
        'native/iso7816/apdu.ts': ['native/transport/types.ts'],
        'native/transport/types.ts': [],
      },
    ],
    [
      'transport-layer',
      'a transport importing ICAO',
      {
        'native/transport/recording.ts': ['native/icao/lds.ts'],
        'native/icao/lds.ts': [],
      },
    ],
    [
      'domain-imports-nothing',
      'the vocabulary importing anything',
      {
        'native/domain/vocabulary.ts': ['native/util/bytes.ts'],
        'native/util/bytes.ts': [],
      },
    ],
    [
      'core-layer',
      'a core service importing the app',
      {
        'electron/core/check-service.ts': ['electron/app/kiosk-api.ts'],
        'electron/app/kiosk-api.ts': [],
      },
    ],
    [
      'renderer-layer',
      'the renderer importing a core service',
      {
        'renderer/src/screens/Log.tsx': ['electron/core/audit-log.ts'],
        'electron/core/audit-log.ts': [],
      },
    ],
    [
      'softcard-only-for-its-users',
      'a core service importing the software card',
      {
        'electron/core/check-service.ts': ['native/softcard/soft-card.ts'],
        'native/softcard/soft-card.ts': [],
      },
    ],
    [
      'softcard-in-readers-only-demo-driver',
      'the reader manager (not its demo driver) importing the software card',
      {
        'native/readers/manager.ts': ['native/softcard/soft-card.ts'],
        'native/softcard/soft-card.ts': [],
      },
    ],
    [
      'app-layer',
      'the app importing the software card (it taps one through the demo driver)',
      {
        'electron/app/channels/demo.ts': ['native/softcard/soft-card.ts'],
        'native/softcard/soft-card.ts': [],
      },
    ],
    [
      'electron-only-in-shell',
      'a core service importing electron',
      {
        'electron/core/paths.ts': ['electron'],
      },
    ],
    [
      'no-circular-folders',
      'two modules importing each other',
      {
        'electron/core/a.ts': ['electron/core/b.ts'],
        'electron/core/b.ts': ['electron/core/a.ts'],
      },
    ],
  ];

  it.each(cases)('%s rejects %s', async (rule, _what, files) => {
    const dir = tree(rule, files);
    const found = await violations(
      dir,
      ['native', 'electron', 'renderer'].filter((d) => fs.existsSync(path.join(dir, d))),
    );
    expect(found.map((v) => v.rule.name)).toContain(rule);
  });

  it('accepts the same miniature trees when the import goes downwards', async () => {
    const dir = tree('good', {
      'native/cccd/qr.ts': ['native/icao/lds.ts'],
      'native/icao/lds.ts': ['native/iso7816/apdu.ts'],
      'native/iso7816/apdu.ts': ['native/domain/vocabulary.ts'],
      'native/domain/vocabulary.ts': [],
      'electron/app/kiosk-api.ts': ['electron/core/check-service.ts'],
      'electron/core/check-service.ts': ['native/cccd/qr.ts'],
      'renderer/src/screens/Log.tsx': ['electron/shared/ipc-contract.ts'],
      'electron/shared/ipc-contract.ts': ['native/domain/vocabulary.ts'],
    });
    expect(await violations(dir, ['native', 'electron', 'renderer'])).toEqual([]);
  });

  it('lets the demo driver, and the app through it, use the software card', async () => {
    const dir = tree('demo-driver', {
      'electron/app/channels/demo.ts': ['native/readers/demo-driver.ts'],
      'native/readers/manager.ts': ['native/readers/demo-driver.ts'],
      'native/readers/demo-driver.ts': ['native/softcard/soft-card.ts'],
      'native/softcard/soft-card.ts': ['native/cccd/qr.ts'],
      'native/cccd/qr.ts': [],
    });
    expect(await violations(dir, ['native', 'electron'])).toEqual([]);
  });
});
