/**
 * `kiosk trust ...`: what the station trusts to sign chips (issue 9).
 *
 *   kiosk trust list [--json]                  issuers seen on chips: status, country, counts, first/last seen
 *   kiosk trust approve ISSUER_ID [--signer FP]...
 *                                              pin an issuer's KEY (recovered from its DS certificates'
 *                                              signatures; later DS of that key pass too); an RSA issuer:
 *                                              the DS certificate itself. An issuer in CONFLICT (DS of
 *                                              different keys, names or countries under its id, e.g. a
 *                                              forger copying its id) needs --signer: the DS to trust
 *   kiosk trust block ISSUER_ID                every card it signed is rejected
 *   kiosk trust unblock ISSUER_ID              back to "seen" (lifts a block or an approval)
 *   kiosk trust import FILE [--confirm-fingerprint FP]
 *                                              a CSCA certificate, CRL or ICAO master list into the trust
 *                                              folder; a list whose signer does not chain to a trusted CSCA
 *                                              needs the chair to confirm its SHA-256 fingerprint
 *
 * ISSUER_ID is the hex authority key identifier `trust list` shows (a unique prefix of 6+ digits will do).
 * Decisions are the chair's: like `session sign`, `--examiner` names who decides, for the log. Every
 * change is in the audit log. Certificate facts only: nothing printed is personal data.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { defaultActor, defaultTrustStoreDir } from '../core/services';
import { KioskError } from '../core/errors';
import { TrustFolderCountries, importTrustFile } from '../core/trust-folder';
import { EXIT, issuerStatusText, line, printJson } from './output';
import type { CliAction } from './security-commands';

interface ActorOpts {
  station?: string;
  examiner?: string;
  trustDir?: string;
}

function trustDir(opts: ActorOpts): string {
  return opts.trustDir ? path.resolve(opts.trustDir) : defaultTrustStoreDir();
}

export function registerTrustCommands(program: Command, action: CliAction): void {
  const trust = program
    .command('trust')
    .description('issuers (CSCA / document signers) the station trusts: list, approve, block, import');

  trust
    .command('list')
    .description('list the issuers seen on chip reads, with their status and counts')
    .option('--trust-dir <dir>', 'trust folder (default: the app trust store)')
    .action(
      action((s, g, opts: ActorOpts) => {
        const anchors = new TrustFolderCountries(trustDir(opts)).get();
        const issuers = s.trust.list();
        const unconfigured = s.trust.unconfiguredCountries(anchors);
        const configured = [...new Set([...anchors, ...s.trust.approvedCountries()])].sort();
        if (g.json) {
          printJson({ issuers, configuredCountries: configured, unconfiguredCountries: unconfigured });
          return EXIT.ok;
        }
        if (!issuers.length) line('Chưa gặp cơ quan cấp nào trên chip. No issuer seen on a chip yet.');
        for (const i of issuers) {
          line(
            `${i.issuerId}\t${i.country ?? '??'}\t${i.status} (${issuerStatusText(i.status)})\t${i.cards} thẻ/cards\t` +
              `${i.firstSeen} → ${i.lastSeen}\t${i.issuerDn}`,
          );
          if (i.conflict) {
            line(
              `  ! XUNG ĐỘT / CONFLICT: ${i.conflict.length} nhóm chứng thư người ký không thể cùng một cơ quan cấp ` +
                `(khác khóa, tên hoặc quốc gia); phê duyệt cần --signer. ${i.conflict.length} groups of document ` +
                'signers cannot be one issuer (another key, name or country); approval needs --signer.',
            );
            for (const g of i.conflict)
              line(
                `    ${g.country ?? '??'}\t${g.cards} thẻ/cards\t${g.issuerDn}\tDS: ${g.signers.join(', ')}`,
              );
          }
        }
        line(
          `Quốc gia đã cấu hình / configured countries: ${configured.length ? configured.join(', ') : '-'}`,
        );
        for (const u of unconfigured) {
          line(
            `! ${u.country}: chưa cấu hình cơ quan cấp tin cậy (${u.cards} lần đọc chip); dùng "kiosk trust approve" hoặc "kiosk trust import". ` +
              `No trusted issuer configured for ${u.country} (${u.cards} chip reads).`,
          );
        }
        return EXIT.ok;
      }),
    );

  const decision = (name: 'approve' | 'block' | 'unblock', desc: string) =>
    trust
      .command(name)
      .description(desc)
      .argument('<issuer-id>', 'issuer id from `kiosk trust list` (hex authority key identifier)')
      .option('--station <name>', 'station name for the log')
      .option('--examiner <name>', 'who decides (the chair), for the log')
      .option(
        '--signer <fingerprint>',
        'approve only: the document signer to trust (SHA-256 fingerprint or a unique prefix of 6+ hex digits, ' +
          'from `kiosk trust list`); needed when the issuer is in conflict; repeatable',
        (v: string, prev: string[] = []) => [...prev, v],
      )
      .action(
        action((s, g, issuerId: string, opts: ActorOpts & { signer?: string[] }) => {
          const by = defaultActor(opts.station, opts.examiner);
          if (opts.signer?.length && name !== 'approve')
            throw new KioskError('usage', {
              vi: '--signer chỉ dùng với "kiosk trust approve".',
              en: '--signer is for "kiosk trust approve" only.',
            });
          const r =
            name === 'approve'
              ? s.trust.approve(issuerId, by, opts.signer?.length ? { signers: opts.signer } : {})
              : name === 'block'
                ? s.trust.block(issuerId, by)
                : s.trust.unblock(issuerId, by);
          if (g.json) printJson(r);
          else
            line(
              `${r.issuerId} (${r.country ?? '??'}): ${issuerStatusText(r.status)} / ${r.status}` +
                (r.status === 'approved'
                  ? r.pinnedKeys.length
                    ? ` — khóa cơ quan cấp đã ghim / issuer key pinned (${r.pinnedKeys.length} ứng viên/candidates); ` +
                      `${r.approvedSigners} chứng thư người ký / document signers covered`
                    : ` — ${r.approvedSigners} chứng thư người ký / document signers pinned`
                  : ''),
            );
          return EXIT.ok;
        }),
      );
  decision(
    'approve',
    "approve (pin) an issuer's key: document signers signed under it are trusted (RSA: the chosen signers)",
  );
  decision('block', 'block an issuer: every card it signed is rejected');
  decision('unblock', 'lift a block or an approval: the issuer is merely "seen" again');

  trust
    .command('import')
    .description(
      'copy a CSCA certificate, CRL or ICAO master list (.ml) into the trust folder; a master list ' +
        'needs a signer that chains to a CSCA already trusted, or --confirm-fingerprint',
    )
    .argument('<file>', 'certificate (.pem/.cer/.crt/.der), CRL (.crl) or master list (.ml)')
    .option(
      '--confirm-fingerprint <sha256>',
      "the master-list signer's SHA-256 fingerprint, as published by the issuing authority",
    )
    .option('--trust-dir <dir>', 'trust folder (default: the app trust store)')
    .option('--station <name>', 'station name for the log')
    .option('--examiner <name>', 'who imports (the chair), for the log')
    .action(
      action((s, g, file: string, opts: ActorOpts & { confirmFingerprint?: string }) => {
        const by = defaultActor(opts.station, opts.examiner);
        let r;
        try {
          r = importTrustFile(path.resolve(file), trustDir(opts), by, s.log, {
            ...(opts.confirmFingerprint !== undefined
              ? { confirmSignerFingerprint: opts.confirmFingerprint }
              : {}),
          });
        } catch (e) {
          if (!g.json && e instanceof KioskError && e.code === 'master_list_signer_untrusted') {
            const fp = (e.details as { signerFingerprint?: string }).signerFingerprint;
            line(`SHA-256 người ký danh sách / list signer: ${fp}`);
          }
          throw e;
        }
        if (g.json) printJson(r);
        else {
          line(
            `Đã nhập ${r.file} (${r.cscas} CSCA${r.countries.length ? `: ${r.countries.join(', ')}` : ''}). ` +
              `Imported ${r.file}${r.copied ? '' : ' (already there)'}.`,
          );
          if (r.signer)
            line(
              `Người ký / signer: ${r.signer.subject}, SHA-256 ${r.signer.fingerprint} (${r.signer.trustedBy === 'chain' ? 'chuỗi tới CSCA tin cậy / chains to a trusted CSCA' : 'chủ tịch xác nhận / confirmed by the chair'})`,
            );
          for (const fp of r.fingerprints) line(`SHA-256: ${fp}`);
          if (r.nonCa > 0)
            line(
              `${r.nonCa} chứng thư không phải CA trong danh sách sẽ không được tin cậy. ${r.nonCa} non-CA certificates in the list are not trusted.`,
            );
        }
        return EXIT.ok;
      }),
    );
}
