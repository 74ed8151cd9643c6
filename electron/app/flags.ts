/** Command-line flags of the kiosk app. Pure, so the rules are tested without Electron. */
export interface AppFlags {
  /** Seed the demo session (fictional people) and demo accounts. */
  demo: boolean;
  /** Full-screen kiosk mode (no window frame, cannot be left with the usual shortcuts). */
  kiosk: boolean;
  /** Start the HTTP test bridge. Refused in a packaged (production) build. */
  testBridge: boolean;
  /** Why a flag was ignored, for the technical log. */
  ignored: string[];
}

export function parseFlags(argv: readonly string[], env: { packaged: boolean }): AppFlags {
  const has = (f: string) => argv.includes(f);
  const ignored: string[] = [];
  let testBridge = has('--test-bridge');
  if (testBridge && env.packaged) {
    testBridge = false;
    ignored.push('--test-bridge (never in a packaged build)');
  }
  return { demo: has('--demo'), kiosk: has('--kiosk'), testBridge, ignored };
}
