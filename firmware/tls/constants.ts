// Protocol numbers (RFC 8446 §4, §B; RFC 5246; IANA TLS registries).

export const CT_CHANGE_CIPHER_SPEC = 20;
export const CT_ALERT = 21;
export const CT_HANDSHAKE = 22;
export const CT_APPLICATION_DATA = 23;

export const HT_CLIENT_HELLO = 1;
export const HT_SERVER_HELLO = 2;
export const HT_NEW_SESSION_TICKET = 4;
export const HT_END_OF_EARLY_DATA = 5;
export const HT_ENCRYPTED_EXTENSIONS = 8;
export const HT_CERTIFICATE = 11;
export const HT_SERVER_KEY_EXCHANGE = 12;
export const HT_CERTIFICATE_REQUEST = 13;
export const HT_SERVER_HELLO_DONE = 14;
export const HT_CERTIFICATE_VERIFY = 15;
export const HT_CLIENT_KEY_EXCHANGE = 16;
export const HT_FINISHED = 20;
export const HT_KEY_UPDATE = 24;
export const HT_MESSAGE_HASH = 254;

export const EXT_SERVER_NAME = 0;
export const EXT_MAX_FRAGMENT_LENGTH = 1;
export const EXT_SUPPORTED_GROUPS = 10;
export const EXT_EC_POINT_FORMATS = 11;
export const EXT_SIGNATURE_ALGORITHMS = 13;
export const EXT_ALPN = 16;
export const EXT_EXTENDED_MASTER_SECRET = 23;
export const EXT_RECORD_SIZE_LIMIT = 28;
export const EXT_SESSION_TICKET = 35;
export const EXT_PRE_SHARED_KEY = 41;
export const EXT_EARLY_DATA = 42;
export const EXT_SUPPORTED_VERSIONS = 43;
export const EXT_COOKIE = 44;
export const EXT_CERTIFICATE_AUTHORITIES = 47;
export const EXT_PSK_KEY_EXCHANGE_MODES = 45;
export const EXT_SIGNATURE_ALGORITHMS_CERT = 50;
export const EXT_KEY_SHARE = 51;
export const EXT_RENEGOTIATION_INFO = 0xff01;

export const TLS12 = 0x0303;
export const TLS13 = 0x0304;

export const TLS_AES_128_GCM_SHA256 = 0x1301;
export const TLS_AES_256_GCM_SHA384 = 0x1302;
export const TLS_CHACHA20_POLY1305_SHA256 = 0x1303;

export const GROUP_SECP256R1 = 0x0017;
export const GROUP_SECP384R1 = 0x0018;
export const GROUP_X25519 = 0x001d;

export const SIG_RSA_PKCS1_SHA256 = 0x0401;
export const SIG_RSA_PKCS1_SHA384 = 0x0501;
export const SIG_RSA_PKCS1_SHA512 = 0x0601;
export const SIG_ECDSA_SECP256R1_SHA256 = 0x0403;
export const SIG_ECDSA_SECP384R1_SHA384 = 0x0503;
export const SIG_RSA_PSS_RSAE_SHA256 = 0x0804;
export const SIG_RSA_PSS_RSAE_SHA384 = 0x0805;
export const SIG_RSA_PSS_RSAE_SHA512 = 0x0806;
export const SIG_ED25519 = 0x0807;

/** Plaintext fragment limit (2^14) and ciphertext expansion limit (RFC 8446 §5.2). */
export const MAX_PLAINTEXT = 16384;
export const MAX_CIPHERTEXT_13 = 16384 + 256;

/** SHA-256("HelloRetryRequest"): the ServerHello.random of a HelloRetryRequest (§4.1.3). */
export const HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c";
/** Last 8 bytes of ServerHello.random from a TLS 1.3 server negotiating 1.2 / 1.1 or below. */
export const DOWNGRADE_12 = "444f574e47524401";
export const DOWNGRADE_11 = "444f574e47524400";
