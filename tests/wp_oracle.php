<?php
// Independent check of the WXR reader: loads a WXR file with SimpleXML and
// reads each item's comments the way WordPress's importer does (children in
// the wp namespace declared on the root, string casts, integer casts for the
// id fields), then prints them as JSON for the Python tests to compare.

if ($argc < 2) {
    fwrite(STDERR, "usage: php wp_oracle.php FILE.xml\n");
    exit(2);
}

$root = simplexml_load_file($argv[1], 'SimpleXMLElement', LIBXML_PARSEHUGE);
if ($root === false) {
    fwrite(STDERR, "not readable as XML\n");
    exit(1);
}

$namespaces = $root->getDocNamespaces();
// The importer falls back to the 1.1 URI when the root declares no wp prefix.
$wp_uri = isset($namespaces['wp']) ? $namespaces['wp'] : 'http://wordpress.org/export/1.1/';

$items = array();
foreach ($root->channel->item as $item) {
    $wp = $item->children($wp_uri);
    $comments = array();
    foreach ($wp->comment as $node) {
        $meta = array();
        foreach ($node->commentmeta as $pair) {
            $meta[] = array((string) $pair->meta_key, (string) $pair->meta_value);
        }
        $comments[] = array(
            'comment_id' => (int) $node->comment_id,
            'comment_author' => (string) $node->comment_author,
            'comment_author_email' => (string) $node->comment_author_email,
            'comment_author_url' => (string) $node->comment_author_url,
            'comment_author_IP' => (string) $node->comment_author_IP,
            'comment_date' => (string) $node->comment_date,
            'comment_date_gmt' => (string) $node->comment_date_gmt,
            'comment_content' => (string) $node->comment_content,
            'comment_approved' => (string) $node->comment_approved,
            'comment_type' => (string) $node->comment_type,
            'comment_parent' => (int) $node->comment_parent,
            'comment_user_id' => (int) $node->comment_user_id,
            'commentmeta' => $meta,
        );
    }
    $items[] = array(
        'post_id' => (int) $wp->post_id,
        // The importer keeps a post only of a type WordPress knows, as given.
        'post_type' => (string) $wp->post_type,
        'comments' => $comments,
    );
}

echo json_encode($items, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
