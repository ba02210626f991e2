"""PII redaction: presidio recognisers tuned for billing logs, behind a fast pre-screen."""

import os

# presidio's e-mail recogniser pulls in tldextract, whose default extractor fetches the public
# suffix list from the network when first used. An empty URL list makes every extractor built
# from now on use the snapshot bundled with the pinned tldextract; this must run before
# presidio (and so tldextract) is imported, which importing any submodule of this package does.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
