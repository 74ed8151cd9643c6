import { BrowserWindow, dialog } from 'electron';
import type { FileDialogs, FileFilter } from '../app/ports';
import type { Bilingual, Lang } from '../shared/ipc-contract';

/** Native file dialogs, titled in the station's language, attached to the focused window. */
export class ElectronDialogs implements FileDialogs {
  constructor(private readonly language: () => Lang) {}

  private title(t: Bilingual): string {
    return this.language() === 'en' ? t.en : t.vi;
  }

  private parent(): BrowserWindow | undefined {
    return BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  }

  async openFile(options: { title: Bilingual; filters: FileFilter[] }): Promise<string | null> {
    const opts = {
      title: this.title(options.title),
      filters: options.filters,
      properties: ['openFile' as const],
    };
    const win = this.parent();
    const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
    return r.canceled ? null : (r.filePaths[0] ?? null);
  }

  async openFolder(options: { title: Bilingual }): Promise<string | null> {
    const opts = { title: this.title(options.title), properties: ['openDirectory' as const] };
    const win = this.parent();
    const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
    return r.canceled ? null : (r.filePaths[0] ?? null);
  }

  async saveFile(options: {
    title: Bilingual;
    defaultName: string;
    filters: FileFilter[];
  }): Promise<string | null> {
    const opts = {
      title: this.title(options.title),
      defaultPath: options.defaultName,
      filters: options.filters,
    };
    const win = this.parent();
    const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
    return r.canceled || !r.filePath ? null : r.filePath;
  }
}
