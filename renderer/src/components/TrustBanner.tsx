import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TrustIssuersDTO } from '../../../electron/shared/ipc-contract';
import { kiosk } from '../api';

/**
 * The chair's banner: cards were read from a country for which the station has no configured issuer
 * (no trusted CSCA, no approved issuer), so their chips are only amber. Links to the trust screen.
 * Refreshed when the screen changes (`refreshKey`) and every minute.
 */
export function TrustBanner({ refreshKey, onOpen }: { refreshKey: string; onOpen: () => void }) {
  const { t } = useTranslation();
  const [missing, setMissing] = useState<TrustIssuersDTO['unconfiguredCountries']>([]);
  useEffect(() => {
    let live = true;
    const load = async () => {
      const r = await kiosk().trust.issuers();
      if (live && r.ok) setMissing(r.value.unconfiguredCountries);
    };
    void load();
    const timer = setInterval(() => void load(), 60_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [refreshKey]);
  if (!missing.length) return null;
  const countries = missing.map((m) => m.country).join(', ');
  const cards = missing.reduce((n, m) => n + m.cards, 0);
  return (
    <div className="banner banner-warn" role="status" data-testid="trust-banner">
      <span className="banner-text">{t('trust.banner', { countries, cards })}</span>
      <button className="btn btn-small" onClick={onOpen} data-testid="trust-banner-open">
        {t('trust.bannerAction')}
      </button>
    </div>
  );
}
