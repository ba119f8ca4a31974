<?php
// Independent check of the WXR reader: loads a WXR file with SimpleXML and
// reads each item's comments the way WordPress's importer does (children in
// the wp namespace declared on the root, string casts, integer casts for the
// id fields), then prints them as JSON for the Python tests to compare.
//
// With --import it goes on as the wordpress-importer plugin does into an
// empty site and prints what the site would keep (see import_rules below).

$args = array_slice($argv, 1);
$import = false;
if ($args && $args[0] === '--import') {
    $import = true;
    array_shift($args);
}
if (count($args) < 1) {
    fwrite(STDERR, "usage: php wp_oracle.php [--import] FILE.xml\n");
    exit(2);
}

$root = simplexml_load_file($args[0], 'SimpleXMLElement', LIBXML_PARSEHUGE);
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
            // The importer keys an item's comments by the id cast to an
            // integer, and compares the parent as written with those keys.
            'comment_key' => (int) $node->comment_id,
            'comment_parent_text' => (string) $node->comment_parent,
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
        'post_id_text' => (string) $wp->post_id,
        // The importer keeps a post only of a type WordPress knows, as given.
        'post_type' => (string) $wp->post_type,
        'post_title' => (string) $item->title,
        'post_date' => (string) $wp->post_date,
        'status' => (string) $wp->status,
        'comments' => $comments,
    );
}

$authors = array();
foreach ($root->channel->children($wp_uri)->author as $author) {
    $authors[] = array('login' => trim((string) $author->author_login),
                       'author_id' => (int) $author->author_id);
}

// The post types WordPress registers by itself.
const CORE_POST_TYPES = array(
    'post', 'page', 'attachment', 'revision', 'nav_menu_item', 'custom_css',
    'customize_changeset', 'oembed_cache', 'user_request', 'wp_block', 'wp_template',
    'wp_template_part', 'wp_global_styles', 'wp_navigation', 'wp_font_family', 'wp_font_face',
);

// A title or an author as the database compares it (roughly: the site
// trims both as it saves them, and its collation ignores case; only ASCII
// case here).
function collated($text) {
    return strtolower(trim($text));
}

// The items as the reader is compared with: without what only the import
// rules use.
function as_read($items) {
    $read = array();
    foreach ($items as $item) {
        $comments = array();
        foreach ($item['comments'] as $comment) {
            unset($comment['comment_key'], $comment['comment_parent_text']);
            $comments[] = $comment;
        }
        $read[] = array('post_id' => $item['post_id'], 'post_type' => $item['post_type'],
                        'comments' => $comments);
    }
    return $read;
}

// What an empty site keeps of the items when the wordpress-importer plugin
// imports them, every author made a user: the rules it follows for what it
// keeps, in its order.
//  1. An item whose post type WordPress does not know is skipped.
//  2. An item whose post id an item already imported had is skipped.
//  3. Auto-drafts and menu items bring no comments.
//  4. post_exists: an item whose title and date (each only when not empty)
//     and type are those of a post in the site is not imported; its
//     comments go to that post, and there comment_exists applies.
//  5. An item's comments are taken sorted by their id as written (a
//     repeated id keeps the later comment); a reply's parent is the new
//     id of its parent only if that was imported before it in the item,
//     else the number as written.
//  6. comment_exists (only for a post that existed): a comment whose
//     author and date equal any comment's in the site is skipped.
function import_rules($items, $authors) {
    $users = array();
    foreach ($authors as $author) {
        $users[$author['author_id']] = $author['login'];
    }
    $posts = array();      // the site's posts: item index, title, date, type
    $processed = array();  // post id as written => the site's post (item index)
    $site_comments = array();  // new id => item, key, author, date
    $skipped = array();
    $kept = array();
    foreach ($items as $index => $item) {
        $type = $item['post_type'];
        $post_id = $item['post_id_text'];
        if (!in_array($type, CORE_POST_TYPES, true)) {
            $skipped[] = array('item' => $index, 'reason' => 'post type');
            continue;
        }
        if (isset($processed[$post_id]) && !empty($post_id)) {
            $skipped[] = array('item' => $index, 'reason' => 'post id');
            continue;
        }
        if ($item['status'] === 'auto-draft' || $type === 'nav_menu_item') {
            $skipped[] = array('item' => $index, 'reason' => $type === 'nav_menu_item' ? 'menu item' : 'auto-draft');
            continue;
        }
        $exists = null;
        $title = collated($item['post_title']);
        $date = $item['post_date'];
        foreach ($posts as $post) {
            if (($date === '' || $post['date'] === $date)
                && ($title === '' || $post['title'] === $title) && $post['type'] === $type) {
                $exists = $post['item'];
                break;
            }
        }
        if ($exists !== null) {
            $processed[intval($post_id)] = $exists;
            $skipped[] = array('item' => $index, 'reason' => 'post exists', 'into' => $exists);
            $target = $exists;
        } else {
            // A post saved without a date is dated now: no later date matches it.
            $posts[] = array('item' => $index, 'title' => $title,
                             'date' => $date === '' ? 'now' : $date, 'type' => $type);
            $processed[intval($post_id)] = $index;
            $target = $index;
        }
        $by_key = array();
        foreach ($item['comments'] as $comment) {
            $by_key[$comment['comment_key']] = $comment;
        }
        ksort($by_key);
        $inserted = array();
        foreach ($by_key as $key => $comment) {
            $parent = $comment['comment_parent_text'];
            $linked = isset($inserted[$parent]) ? $inserted[$parent] : null;
            if ($exists !== null) {
                // The site saved each author trimmed; the question keeps a
                // leading space, and the collation ignores trailing ones.
                $asked = strtolower(rtrim($comment['comment_author']));
                foreach ($site_comments as $other) {
                    if ($other['author'] === $asked
                        && $other['date'] === $comment['comment_date']) {
                        continue 2;
                    }
                }
            }
            $new_id = count($site_comments) + 1;
            $site_comments[$new_id] = array('item' => $index, 'key' => (string) $key,
                                            'author' => collated($comment['comment_author']),
                                            'date' => $comment['comment_date']);
            $inserted[$key] = $new_id;
            $user = $comment['comment_user_id'];
            $kept[] = array(
                'item' => $index,
                'comment_id' => (string) $key,
                'post' => $target,
                'parent' => $linked === null
                    ? array('as written' => intval($parent))
                    : array('item' => $site_comments[$linked]['item'],
                            'comment_id' => $site_comments[$linked]['key']),
                'user' => ($user && isset($users[$user])) ? $users[$user] : null,
            );
        }
    }
    return array('skipped' => $skipped, 'comments' => $kept);
}

$out = $import ? import_rules($items, $authors) : as_read($items);
echo json_encode($out, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
