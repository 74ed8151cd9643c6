import type { Outcome } from '../../../electron/shared/ipc-contract';

/**
 * One shape per outcome, so the answer does not depend on colour alone: a circle with a tick
 * (accepted), a triangle with "!" (warnings), an octagon with a cross (rejected).
 */
export function VerdictIcon({ outcome, size = 160 }: { outcome: Outcome; size?: number }) {
  const common = { width: size, height: size, viewBox: '0 0 100 100', 'aria-hidden': true as const };
  if (outcome === 'accepted') {
    return (
      <svg {...common}>
        <circle cx="50" cy="50" r="46" fill="#fff" />
        <path
          d="M27 52 L43 68 L74 34"
          fill="none"
          stroke="#166534"
          strokeWidth="11"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
    );
  }
  if (outcome === 'accepted_with_warnings') {
    return (
      <svg {...common}>
        <path d="M50 6 L96 90 H4 Z" fill="#1c1917" strokeLinejoin="round" />
        <rect x="44.5" y="34" width="11" height="32" rx="4" fill="#fbbf24" />
        <circle cx="50" cy="77" r="6.5" fill="#fbbf24" />
      </svg>
    );
  }
  return (
    <svg {...common}>
      <path d="M31 4 H69 L96 31 V69 L69 96 H31 L4 69 V31 Z" fill="#fff" />
      <path d="M33 33 L67 67 M67 33 L33 67" stroke="#991b1b" strokeWidth="12" strokeLinecap="round" />
    </svg>
  );
}
