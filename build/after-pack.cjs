// electron-builder afterPack hook: sets the Electron fuses in the packaged binary with @electron/fuses,
// then reads them back and fails the build if any is not as required. Runs before signing.
//   RunAsNode off                        the binary cannot be used as a plain Node (ELECTRON_RUN_AS_NODE)
//   EnableNodeOptionsEnvironmentVariable off   NODE_OPTIONS cannot inject code
//   EnableNodeCliInspectArguments off    --inspect cannot attach a debugger
//   EnableEmbeddedAsarIntegrityValidation on   app.asar must match its hash (Windows, macOS)
//   OnlyLoadAppFromAsar on               no app folder next to the asar can replace the code
//   EnableCookieEncryption on            the session's cookies are encrypted at rest
//   GrantFileProtocolExtraPrivileges off file:// pages get no extra powers (the UI comes from app://)
const path = require('node:path');
const { flipFuses, getCurrentFuseWire, FuseVersion, FuseV1Options } = require('@electron/fuses');

const FUSES = {
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

/** The Electron binary inside the packaged app (the .app bundle on macOS). */
function electronBinary(context) {
  const { electronPlatformName, appOutDir, packager } = context;
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') {
    return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
  }
  return path.join(appOutDir, packager.executableName);
}

async function afterPack(context) {
  const binary = electronBinary(context);
  const arm64Mac = context.electronPlatformName === 'darwin' && context.arch === 3; // builder-util Arch.arm64
  await flipFuses(binary, { version: FuseVersion.V1, resetAdHocDarwinSignature: arm64Mac, ...FUSES });
  const wire = await getCurrentFuseWire(binary);
  for (const [index, on] of Object.entries(FUSES)) {
    const want = on ? 49 : 48; // '1' / '0'
    if (wire[index] !== want) {
      throw new Error(`Electron fuse ${FuseV1Options[index]} is not ${on ? 'on' : 'off'} in ${binary}`);
    }
  }
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.FUSES = FUSES;
module.exports.electronBinary = electronBinary;
