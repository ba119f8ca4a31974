<?php
// Runs inside a real WordPress (Debian's `wordpress` package): installs a
// site into an empty database, or imports one WXR file with the
// wordpress-importer plugin's own WP_Import class and prints, as JSON, what
// the file held and what the site kept.  Driven by bench/wordpress_import.py.
//
// usage: php import.php install|import WORDPRESS_DIR DB_NAME DB_HOST [PLUGIN_DIR FILE]

if ($argc < 5) {
    fwrite(STDERR, "usage: php import.php install|import WORDPRESS_DIR DB_NAME DB_HOST [PLUGIN_DIR FILE]\n");
    exit(2);
}
list(, $step, $wordpress_dir, $db_name, $db_host) = $argv;

define('DB_NAME', $db_name);
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', $db_host);
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('ABSPATH', rtrim($wordpress_dir, '/') . '/');
define('WP_CONTENT_DIR', ABSPATH . 'wp-content');
define('WP_DEBUG', false);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
$table_prefix = 'wp_';
$_SERVER['HTTP_HOST'] = 'localhost';
$_SERVER['SERVER_NAME'] = 'localhost';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';

if ($step === 'install') {
    define('WP_INSTALLING', true);
    require ABSPATH . 'wp-settings.php';
    require_once ABSPATH . 'wp-admin/includes/upgrade.php';
    $result = wp_install('wxrbridge check', 'admin', 'admin@example.com', false, '', 'not-a-secret');
    // The site's sample post, page and comment would be matched by the
    // importer's duplicate checks: the check starts from an empty site.
    foreach (get_posts(array('post_type' => 'any', 'post_status' => 'any', 'numberposts' => -1)) as $post) {
        wp_delete_post($post->ID, true);
    }
    foreach (get_comments(array('status' => 'all')) as $comment) {
        wp_delete_comment($comment->comment_ID, true);
    }
    echo json_encode(array('user_id' => $result['user_id'], 'version' => get_bloginfo('version'))), "\n";
    exit(0);
}

if ($argc < 7) {
    fwrite(STDERR, "import needs PLUGIN_DIR and FILE\n");
    exit(2);
}
$plugin_dir = rtrim($argv[5], '/');
$file = $argv[6];

define('WP_LOAD_IMPORTERS', true);
define('WP_ADMIN', true);
require ABSPATH . 'wp-settings.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';
require_once $plugin_dir . '/src/wordpress-importer.php';
wp_set_current_user(1);

// What the file holds, as the plugin's own parser reads it.
$parser = new WXR_Parser();
$parsed = $parser->parse($file);
if (is_wp_error($parsed)) {
    echo json_encode(array('error' => $parsed->get_error_message())), "\n";
    exit(1);
}

// Every author in the file becomes a new user, as "create a new user" does
// in the importer's form.
$_POST['imported_authors'] = array();
$_POST['user_new'] = array();
$_POST['user_map'] = array();
foreach ($parsed['authors'] as $login => $author) {
    $_POST['imported_authors'][] = $login;
}
foreach ($parsed['posts'] as $post) {
    if (!empty($post['post_author']) && !in_array($post['post_author'], $_POST['imported_authors'], true)) {
        $_POST['imported_authors'][] = $post['post_author'];
    }
}

// Which item each inserted comment came from: items are numbered in file
// order, and an item's comments are met in the importer's own order (sorted
// by id, a later one of the same id replacing the earlier).
$items = array();
$current = null;
$inserted = array();
add_filter('wp_import_posts', function ($posts) {
    foreach ($posts as $index => $post) {
        $posts[$index]['wxrb_index'] = $index;
    }
    return $posts;
});
$created = array();
add_action('wp_import_insert_post', function ($post_id, $original_id, $postdata, $post) use (&$created) {
    if (!is_wp_error($post_id)) {
        $created[$post['wxrb_index']] = (int) $post_id;
    }
}, 10, 4);
add_filter('wp_import_post_comments', function ($comments, $post_id, $post) use (&$current) {
    $by_id = array();
    foreach ($comments as $comment) {
        $by_id[$comment['comment_id']] = $comment;
    }
    ksort($by_id);
    $current = array('index' => $post['wxrb_index'], 'post' => $post_id, 'queue' => $by_id);
    return $comments;
}, 10, 3);
add_action('wp_import_insert_comment', function ($new_id, $comment, $post_id, $post) use (&$current, &$inserted) {
    while ($current['queue']) {
        // Not array_shift: it would renumber the integer keys, the ids.
        $key = array_key_first($current['queue']);
        $candidate = $current['queue'][$key];
        unset($current['queue'][$key]);
        if ($candidate['comment_author'] === $comment['comment_author']
            && $candidate['comment_date'] === $comment['comment_date']
            && $candidate['comment_content'] === $comment['comment_content']) {
            $inserted[] = array('index' => $current['index'], 'comment_id' => (string) $key,
                                'wp_id' => (int) $new_id, 'post' => (int) $post_id);
            return;
        }
    }
}, 10, 4);

$importer = new WP_Import();
$importer->fetch_attachments = false;
ob_start();
$importer->import($file);
$messages = ob_get_clean();

global $wpdb;
$comments = $wpdb->get_results(
    "SELECT comment_ID, comment_post_ID, comment_parent, user_id FROM $wpdb->comments ORDER BY comment_ID",
    ARRAY_A
);
$users = array();
foreach (get_users() as $user) {
    $users[$user->user_login] = (int) $user->ID;
}
$file_items = array();
foreach ($parsed['posts'] as $index => $post) {
    $file_comments = array();
    foreach (isset($post['comments']) ? $post['comments'] : array() as $comment) {
        // The id a renumbering writer replaced.
        $original = null;
        foreach (isset($comment['commentmeta']) ? $comment['commentmeta'] : array() as $meta) {
            if ($meta['key'] === '_wxrbridge_original_id') {
                $original = (string) $meta['value'];
            }
        }
        $file_comments[] = array(
            'original_id' => $original,
            'comment_author' => (string) $comment['comment_author'],
            'comment_date' => (string) $comment['comment_date'],
            'comment_content' => (string) $comment['comment_content'],
            'comment_id' => (string) $comment['comment_id'],
            'comment_parent' => (string) $comment['comment_parent'],
            'comment_user_id' => (string) $comment['comment_user_id'],
        );
    }
    $file_items[] = array('index' => $index, 'post_id' => (string) $post['post_id'],
                          'post' => isset($created[$index]) ? $created[$index] : null,
                          'post_type' => (string) $post['post_type'], 'comments' => $file_comments);
}
$authors = array();
foreach ($parsed['authors'] as $login => $author) {
    // The login the site gives the user it makes (non-ASCII letters dropped).
    $authors[] = array('login' => sanitize_user((string) $login, true),
                       'author_id' => (string) $author['author_id']);
}
echo json_encode(array(
    'items' => $file_items,
    'authors' => $authors,
    'inserted' => $inserted,
    'comments' => $comments,
    'users' => $users,
    'messages' => trim(html_entity_decode(strip_tags(str_replace('<br />', "\n", $messages)))),
), JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
