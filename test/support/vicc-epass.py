#!/usr/bin/python3
"""Run Debian's vsmartcard-vpicc (`vicc -t ePass`) as an independent ICAO chip for the interop tests.

The chip logic (ISO 7816 file system, SELECT/READ BINARY, BAC, secure messaging with its send sequence
counter, the vpcd socket loop) is vicc's own, unchanged. Debian 12's python3-virtualsmartcard 3.3+dfsg-2
cannot run `vicc -t ePass` under Python 3 as packaged, so this launcher applies only what it takes to
start it, and says so:
  1. the library is installed under /usr/lib/python3/site-packages/virtualsmartcard, not on sys.path;
  2. it imports PyCrypto's `Crypto` namespace; Debian ships pycryptodome as `Cryptodome`
     (python3-pycryptodome), which this aliases;
  3. a few Python 2 leftovers in its own source (str where bytes are meant: TLVutils.pack, the XOR of
     the BAC key seeds, the secure-messaging parser and response builder) and one bug that fails the
     MAC whenever the random send sequence counter starts with a 00 byte; each is an exact text
     replacement listed in PY3_FIXES below, none changes what vicc does on the wire;
  4. the ePass generator asks for the MRZ and a photo path with Python 2's raw_input() and builds its
     files from str; here it is rebuilt with the same files and layout from bytes: EF.COM listing DG1
     and DG2, DG1 with the MRZ, DG2 in vicc's own layout (no 0x75 template, image type 01 = JPEG 2000
     whatever the image is; empty without a photo), and an empty EF.SOD at FID 010D (not ICAO's 011D,
     so a terminal finds no EF.SOD). The MRZ is the example in vicc's source unless VICC_MRZ is set.
Environment: VICC_MRZ (88 characters), VICC_PHOTO (a JPEG path; vicc asks for one).
Usage: vicc-epass.py -P PORT [-v ...]   (all arguments go to vicc)
       vicc-epass.py --check               (exit 0 when everything it needs is installed)
"""
import builtins
import importlib
import os
import runpy
import sys
import types

for candidate in ('/usr/lib/python3/site-packages/virtualsmartcard',
                  '/usr/lib/python3/dist-packages'):
    if os.path.isdir(os.path.join(candidate, 'virtualsmartcard')):
        sys.path.insert(0, candidate)
        break
else:
    sys.exit('vicc-epass.py: the virtualsmartcard library (python3-virtualsmartcard) is not installed')

try:
    import Crypto.Cipher.DES3  # noqa: F401
except ImportError:
    import Cryptodome
    sys.modules['Crypto'] = Cryptodome
    for sub in ('Cipher', 'Hash', 'Util', 'PublicKey', 'Cipher.DES3', 'Cipher.DES', 'Cipher.AES',
                'Cipher.ARC4', 'Hash.HMAC', 'Hash.SHA', 'Hash.MD5'):
        sys.modules['Crypto.' + sub] = importlib.import_module('Cryptodome.' + sub)

LIB = os.path.dirname(os.path.abspath(sys.path[0] + '/virtualsmartcard/__init__.py'))

# Python 3 fixes to vicc's own source, applied as exact text replacements (each must match once, so a
# changed package fails loudly here instead of misbehaving). None changes what vicc does on the wire.
PY3_FIXES = {
    'TLVutils': [
        # pack() built bytes, then joined them as if they were a list of str
        ('    return b"".join(result)\n', '    return result\n'),
    ],
    'CryptoUtils': [
        # XOR of two byte strings (BAC session key seed)
        ('        result.append(chr(op(ord(string1[i]), ord(string2[i]))))\n    return "".join(result)\n',
         '        result.append(op(string1[i], string2[i]))\n    return bytes(result)\n'),
        # the send sequence counter enters the MAC as its 8 bytes (ICAO 9303-11 9.8.6.3); inttostring(ssc)
        # alone dropped leading zero bytes, a MAC failure whenever the random SSC started with 00
        ('            data = inttostring(ssc) + data\n', '            data = inttostring(ssc, 8) + data\n'),
    ],
    'SEutils': [
        ('        return_data = ["", ]\n', '        return_data = [b"", ]\n'),
        ('            to_authenticate = ""\n', '            to_authenticate = b""\n'),
        ('                padding_indicator = stringtoint(value[0])\n',
         '                padding_indicator = value[0]\n'),
        ('                   data="".join(return_data))\n', '                   data=b"".join(return_data))\n'),
        ('        return_data = ""\n        # if sw', '        return_data = b""\n        # if sw'),
        ('        if result != "":  # Encrypt', '        if result != b"":  # Encrypt'),
        ('            encrypted = "\\x01" + encrypted\n', '            encrypted = b"\\x01" + encrypted\n'),
    ],
}


def load_fixed(name):
    path = os.path.join(LIB, name + '.py')
    with open(path, encoding='utf-8') as f:
        text = f.read()
    for old, new in PY3_FIXES[name]:
        if text.count(old) != 1:
            sys.exit('vicc-epass.py: %s.py is not the vsmartcard 3.3 source this launcher fixes (%r)'
                     % (name, old.strip()))
        text = text.replace(old, new)
    module = types.ModuleType('virtualsmartcard.' + name)
    module.__file__ = path
    sys.modules[module.__name__] = module
    exec(compile(text, path, 'exec'), module.__dict__)
    setattr(importlib.import_module('virtualsmartcard'), name, module)
    return module


import virtualsmartcard  # noqa: E402,F401
from virtualsmartcard.utils import inttostring  # noqa: E402

for _name in ('TLVutils', 'CryptoUtils', 'SEutils'):
    load_fixed(_name)
pack = sys.modules['virtualsmartcard.TLVutils'].pack

import virtualsmartcard.CardGenerator as CG  # noqa: E402
from virtualsmartcard.SmartcardFilesystem import MF, DF, TransparentStructureEF  # noqa: E402


# vicc's built-in example MRZ (commented in CardGenerator.__generate_ePass), fictional ICAO specimen.
BUILTIN_MRZ = ('P<UTOERIKSSON<<ANNA<MARIX<<<<<<<<<<<<<<<<<<<'
               'L898902C<3UTO6908061F9406236ZE184226B<<<<<14')


def generate_epass(self):
    from virtualsmartcard.cards.ePass import PassportSAM
    mrz = os.environ.get('VICC_MRZ', BUILTIN_MRZ).encode('ascii')
    picture = None
    photo = os.environ.get('VICC_PHOTO')
    if photo:
        from PIL import Image
        with Image.open(photo) as im:
            pic_width, pic_height = im.size
        with open(photo, 'rb') as fd:
            picture = fd.read()

    mf = MF()
    df = DF(parent=mf, fid=4, dfname=b'\xa0\x00\x00\x02G\x10\x01', bertlv_data=[])
    com = pack([(0x5F01, 4, b"0107"), (0x5F36, 6, b"040000"), (0x5C, 2, b"\x61\x75")])
    com = pack(((0x60, len(com), com),))
    df.append(TransparentStructureEF(parent=df, fid=0x011E, filedescriptor=0, data=com))
    dg1 = pack([(0x5F1F, len(mrz), mrz)])
    dg1 = pack([(0x61, len(dg1), dg1)])
    df.append(TransparentStructureEF(parent=df, fid=0x0101, filedescriptor=0, data=dg1))
    if picture is not None:
        iib = b"\x00\x01" + inttostring(pic_width, 2) + inttostring(pic_height, 2) + 6 * b"\x00"
        length = 32 + len(picture)
        fib = inttostring(length, 4) + 16 * b"\x00"
        frh = b"FAC\x00010\x00" + inttostring(14 + length, 4) + inttostring(1, 2)
        picture = frh + fib + iib + picture
        dg2 = pack([(0xA1, 8, b"\x87\x02\x01\x01\x88\x02\x05\x01"), (0x5F2E, len(picture), picture)])
        dg2 = pack([(0x02, 1, b"\x01"), (0x7F60, len(dg2), dg2)])
        dg2 = pack([(0x7F61, len(dg2), dg2)])
    else:
        dg2 = b""
    df.append(TransparentStructureEF(parent=df, fid=0x0102, filedescriptor=0, data=dg2))
    df.append(TransparentStructureEF(parent=df, fid=0x010D, filedescriptor=0, data=b""))
    mf.append(df)
    self.mf = mf
    self.sam = PassportSAM(self.mf)


CG.CardGenerator._CardGenerator__generate_ePass = generate_epass
builtins.raw_input = input

if sys.argv[1:] == ['--check']:
    import PIL.Image  # noqa: F401  (vicc's generator opens the photo with PIL)
    if not os.path.exists('/usr/bin/vicc'):
        sys.exit('/usr/bin/vicc is missing')
    generate_epass(CG.CardGenerator('ePass'))
    sys.exit(0)

sys.argv = ['vicc', '-t', 'ePass'] + sys.argv[1:]
runpy.run_path('/usr/bin/vicc', run_name='__main__')
