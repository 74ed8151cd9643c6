// Types for scripts/native-abi.mjs (imported by test/unit/native-abi.test.ts).
export declare const ABI_BOUND: string[];
export interface AbiPlan {
  target: 'node' | 'electron';
  targetAbi: string;
  rebuild: string[];
  skip: { id: string; why: string }[];
}
export declare function plan(input: {
  target: 'node' | 'electron';
  targetAbi: string;
  targetVersion: string;
  modules: { id: string; present: boolean; builtFor?: string }[];
}): AbiPlan;
export declare function commandFor(
  p: AbiPlan,
  options: { electronVersion: string; root: string; env?: NodeJS.ProcessEnv },
): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } | undefined;
