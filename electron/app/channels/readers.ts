/** readers.*: the readers' status (the same data as the reader.status event). */
import type { AppContext, Handlers } from '../context';

export function readersChannels(app: AppContext): Handlers<'readers'> {
  return {
    'readers.status': () => app.readerStatus(),
  };
}
