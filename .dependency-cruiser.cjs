/* global module */
/**
 * The layers of CCCD Kiosk, as import rules (docs/architecture-layers.md draws them).
 * `npm run lint` runs these; a wrong import fails the build, and test/unit/layer-rules.test.ts shows
 * each rule rejecting one on purpose.
 *
 * Bottom to top:
 *   native/domain      the kiosk's words (verdicts, outcomes, reasons, labels): imports nothing
 *   native/util        bytes, dates, optional native modules
 *   native/iso7816     APDUs, status words, BER-TLV
 *   native/transport   the card transport interface, its errors, recording
 *   native/drivers     PC/SC, PN532, HID, serial scanners (beside transport, below ICAO)
 *   native/icao        ICAO 9303: BAC, PACE, secure messaging, LDS, SOD, PA/AA/CA, trust store
 *   native/cccd        Vietnam: QR, ID number, names, DG13, the card reading
 *   native/chip        reading one CCCD chip end to end
 *   native/readers     the reader manager: drivers → events → readings (its demo driver alone may use
 *                      the software card)
 *   native/face        the face verdict and liveness cues from landmarks: pure, on the vocabulary only
 *   native/softcard    the software card (tests, simulator, demo): apart, only its own users import it
 *   electron/shared    the IPC contract: pure, shared with the renderer
 *   electron/core      services (database, log, checks, rosters, sessions, users, settings, trust, reports)
 *   electron/app       the kiosk API: channels, roles, events (no Electron)
 *   electron/cli       the `kiosk` command
 *   electron/main, electron/preload   the Electron shell, the only code that may import `electron`
 *   renderer           the React UI in Chromium
 */
const NATIVE = '^native/';
const ELECTRON = '^electron/';

/** A layer may import only the layers listed (and itself). */
function only(name, from, allowed, comment) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from },
    to: {
      path: `^(native|electron|renderer)/`,
      pathNot: [from, ...allowed],
    },
  };
}

const base = ['^native/domain/'];
const util = [...base, '^native/util/'];
const iso = [...util, '^native/iso7816/'];
const transport = [...iso, '^native/transport/'];
const drivers = [...transport, '^native/drivers/'];
const icao = [...transport, '^native/icao/'];
const cccd = [...icao, '^native/cccd/'];
const chip = [...cccd, '^native/chip/'];
const readers = [...chip, ...drivers, '^native/readers/'];
const shared = [...base, '^native/drivers/hid/keyboard-wedge\\.ts$', '^electron/shared/'];
const face = [...base, '^native/face/'];
const core = [...readers, ...shared, ...face, '^electron/core/'];

module.exports = {
  forbidden: [
    only(
      'domain-imports-nothing',
      '^native/domain/',
      [],
      'The vocabulary is the bottom: it imports no other module.',
    ),
    only('util-layer', '^native/util/', base, 'native/util sits just above the vocabulary.'),
    only('iso7816-layer', '^native/iso7816/', util, 'ISO 7816 knows nothing of transports, ICAO or CCCD.'),
    only(
      'transport-layer',
      '^native/transport/',
      iso,
      'Transports carry APDUs; they know nothing of ICAO or CCCD.',
    ),
    only('drivers-layer', '^native/drivers/', drivers, 'Reader drivers sit beside transport, below ICAO.'),
    only('icao-layer', '^native/icao/', icao, 'ICAO 9303 code is general: no CCCD, drivers or readers.'),
    only('cccd-layer', '^native/cccd/', cccd, 'CCCD code sits on ICAO, never on the chip reader or drivers.'),
    only(
      'chip-layer',
      '^native/chip/',
      chip,
      'Reading a chip uses ICAO and CCCD over a transport, no driver.',
    ),
    only(
      'readers-layer',
      '^native/readers/',
      [...readers, '^native/softcard/'],
      'The reader manager owns drivers and chip reads, nothing above (the software card: see below).',
    ),
    {
      name: 'softcard-in-readers-only-demo-driver',
      comment:
        'In the reader manager only the demo driver (the software-card reader of demo mode) may use the software card.',
      severity: 'error',
      from: { path: '^native/readers/', pathNot: '^native/readers/demo-driver\\.ts$' },
      to: { path: '^native/softcard/' },
    },
    only(
      'softcard-apart',
      '^native/softcard/',
      [...cccd, ...drivers],
      'The software card builds chips from ICAO/CCCD parts; it never uses the reader or the app.',
    ),
    {
      name: 'softcard-only-for-its-users',
      comment:
        'Production code reaches the software card only through the demo driver; tests, CLI sims and benches use it freely.',
      severity: 'error',
      from: {
        path: '^(native|electron)/',
        pathNot: [
          '^native/softcard/',
          '^native/readers/demo-driver\\.ts$',
          '^electron/cli/',
          '^electron/core/demo\\.ts$',
        ],
      },
      to: { path: '^native/softcard/' },
    },
    only(
      'face-layer',
      '^native/face/',
      base,
      'The face verdict is pure: numbers in, a verdict out (no tfjs).',
    ),
    only('shared-layer', '^electron/shared/', shared, 'The IPC contract is pure: vocabulary and zod only.'),
    only(
      'core-layer',
      '^electron/core/',
      [...core, '^native/softcard/'],
      'Core services never import the app, CLI or shell.',
    ),
    only(
      'app-layer',
      '^electron/app/',
      [...core, '^electron/app/'],
      'The kiosk API sits on core; it never imports the CLI or the shell.',
    ),
    only(
      'cli-layer',
      '^electron/cli/',
      [...core, '^native/softcard/', '^electron/app/'],
      'The CLI uses core and app, never the shell.',
    ),
    only('preload-layer', '^electron/preload/', shared, 'The preload only forwards the IPC contract.'),
    {
      name: 'renderer-layer',
      comment:
        'The renderer runs in Chromium: it may import only the IPC contract and pure vocabulary/decoders.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: `${NATIVE}|${ELECTRON}`, pathNot: shared },
    },
    {
      name: 'electron-only-in-shell',
      comment: 'Only the Electron shell imports electron: tests and the CLI cannot load it.',
      severity: 'error',
      from: { path: '^(native|electron/(core|app|cli|shared)|renderer)/' },
      to: {
        path: '^electron$',
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'unknown', 'undetermined'],
      },
    },
    {
      name: 'no-node-in-renderer',
      comment: 'The renderer has no Node: no node: built-ins.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular-folders',
      comment: 'No import cycle between modules.',
      severity: 'error',
      from: { path: '^(native|electron|renderer)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|out|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
