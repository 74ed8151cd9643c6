import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { resources, translations } from './resources';

export { resources };

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof translations.vi };
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
