import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import vi from './vi.json';
import en from './en.json';

/** The English resources must have exactly the Vietnamese keys (a missing one fails the typecheck). */
type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };
const enChecked: Shape<typeof vi> = en;

export const resources = { vi: { translation: vi }, en: { translation: enChecked } } as const;

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof vi };
  }
}

void i18next.use(initReactI18next).init({
  resources,
  lng: 'vi',
  fallbackLng: 'vi',
  interpolation: { escapeValue: false },
  returnNull: false,
});

export default i18next;
