/*
 * NAME
 *   test_mail_util - what the intake-mail unit tests share
 *
 * DESCRIPTION
 *   Not a library: each test program includes this once, after cmocka.h
 *   and after the services/intake-mail/ sources it includes (for
 *   mail_limits_t). LIM: the default limits. LATIN1_QP: a plain mail in
 *   ISO-8859-1, quoted-printable, with an encoded sender and subject, as
 *   an older Outlook would send it; both the parser tests and the worker
 *   round trip read it.
 */
#ifndef INSPRAAK_TEST_MAIL_UTIL_H
#define INSPRAAK_TEST_MAIL_UTIL_H

static const mail_limits_t LIM = MAIL_LIMITS_DEFAULT;

static const char LATIN1_QP[] =
    "Return-Path: <anna@example.nl>\r\n"
    "From: =?ISO-8859-1?Q?Ren=E9e_B=E9kker?= <renee@example.nl>\r\n"
    "To: inspraak@heerlen.nl\r\n"
    "Subject: =?ISO-8859-1?Q?Idee=EBn_voor_het_Caf=E9plein?=\r\n"
    "Message-ID: <abc123@example.nl>\r\n"
    "Date: Tue, 03 Jun 2025 10:12:00 +0200\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Het plein moet gezelliger: meer terrasjes en een fonteintje =E9n =\r\n"
    "schaduw.\r\n"
    "\r\n"
    "Met vriendelijke groet,\r\n"
    "Ren=E9e\r\n";

#endif
