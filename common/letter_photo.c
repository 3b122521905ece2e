/*
 * NAME
 *   letter_photo - the idea text of a mail with only photos, and the
 *   receipt's question for words (see letter.h)
 *
 * DESCRIPTION
 *   intake-mail makes the text (mail_worker.c), notify's receipt knows it
 *   again by the same words: one place for both, so that a change of
 *   wording cannot make receipts stop asking.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "letter.h"
#include "xalloc.h"

char *letter_photo_only_text(int photos)
{
    if (photos == 1)
        return xstrdup("[Alleen een foto gestuurd, zonder tekst. De foto bewaren we niet.]");
    return xasprintf("[Alleen %d foto's gestuurd, zonder tekst. De foto's bewaren we niet.]",
                     photos);
}

int letter_photo_only(const char *text)
{
    static const char lead[] = "[Alleen ";
    if (!text || strncmp(text, lead, sizeof lead - 1) != 0)
        return 0;
    const char *p = text + sizeof lead - 1;
    int photos = strncmp(p, "een ", 4) == 0 ? 1 : atoi(p);
    if (photos < 1)
        return 0;
    char *want = letter_photo_only_text(photos);
    int same = strcmp(text, want) == 0;
    free(want);
    return same ? photos : 0;
}

const char *letter_photo_question(int photos)
{
    /* A reply to the receipt is a mail of its own with a new Message-ID,
     * so intake-mail makes it a new idea: the sentence says so. */
    return photos == 1
               ? "We zagen alleen een foto. Wilt u in een paar woorden zeggen wat u ermee "
                 "bedoelt? Antwoord dan op deze mail. Uw antwoord komt bij ons binnen als een "
                 "nieuw idee."
               : "We zagen alleen foto's. Wilt u in een paar woorden zeggen wat u ermee "
                 "bedoelt? Antwoord dan op deze mail. Uw antwoord komt bij ons binnen als een "
                 "nieuw idee.";
}
