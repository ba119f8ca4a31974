<?php
// Renders WordPress post pages with their comments, for the wp-page reader's
// checks: inside a real WordPress (Debian's `wordpress` package), with the
// database given, it installs a site and inserts a post with a thread
// (`setup`, printing the thread as JSON), or prints the page of one URL as
// the theme renders it (`render`), or its WXR export (`export`).
//
// `install` instead installs a site with no thread, only the users and posts
// read as JSON on stdin (comments are then written in by wxrbridge's wp-db
// writer), and prints the users' and posts' ids and the posts' links as JSON.
//
// usage: php render_page.php setup WORDPRESS_DIR DB_NAME DB_HOST THEME - PER_PAGE
//        php render_page.php install WORDPRESS_DIR DB_NAME DB_HOST THEME - PER_PAGE < site.json
//        php render_page.php render WORDPRESS_DIR DB_NAME DB_HOST URI
//        php render_page.php export WORDPRESS_DIR DB_NAME DB_HOST -

if ($argc < 6) {
    fwrite(STDERR, "usage: php render_page.php setup|install|render|export WORDPRESS_DIR DB_NAME DB_HOST ...\n");
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
define('WP_HOME', 'http://blog.example.test');
define('WP_SITEURL', 'http://blog.example.test');
define('WP_DEBUG', false);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
$table_prefix = 'wp_';
$_SERVER['HTTP_HOST'] = 'blog.example.test';
$_SERVER['SERVER_NAME'] = 'blog.example.test';
$_SERVER['SERVER_PORT'] = '80';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['REQUEST_URI'] = '/';

if ($step === 'export') {
    // The site's own WXR export, as Tools > Export writes it.
    require ABSPATH . 'wp-settings.php';
    require_once ABSPATH . 'wp-admin/includes/export.php';
    export_wp(array('content' => 'all'));
    exit(0);
}

if ($step === 'render') {
    $uri = $argv[5];
    $_SERVER['REQUEST_URI'] = $uri;
    $query = parse_url($uri, PHP_URL_QUERY);
    if ($query) {
        parse_str($query, $_GET);
    }
    // What a variant changes of the site as set up: its theme, the comments
    // per page (0: not paged), the comment format of a classic theme
    // without html5 support, plain links (?p=N&cpage=N) for pretty ones.
    $theme_name = getenv('WXRB_THEME');
    $per_page = getenv('WXRB_PER_PAGE');
    $format = getenv('WXRB_COMMENT_FORMAT');
    $overrides = array();
    if ($theme_name) {
        $overrides['template'] = $overrides['stylesheet'] = $theme_name;
    }
    if (getenv('WXRB_PLAIN_LINKS')) {
        $overrides['permalink_structure'] = '';
    }
    if ($per_page !== false && $per_page !== '') {
        $overrides['page_comments'] = (int) $per_page > 0 ? '1' : '0';
        $overrides['comments_per_page'] = (string) max(1, (int) $per_page);
    }
    // Set before WordPress loads, which picks its theme while loading:
    // hooks given as arrays are taken up by WP_Hook.
    global $wp_filter;
    foreach ($overrides as $option => $value) {
        $wp_filter["pre_option_$option"][10][] = array(
            'function' => function () use ($value) { return $value; }, 'accepted_args' => 1);
    }
    define('WP_USE_THEMES', true);
    require ABSPATH . 'wp-settings.php';
    if ($format) {
        add_filter('wp_list_comments_args', function ($args) use ($format) {
            $args['format'] = $format;
            return $args;
        });
    }
    wp();
    require ABSPATH . WPINC . '/template-loader.php';
    exit(0);
}

if ($argc < 8) {
    fwrite(STDERR, "setup and install need THEME FORMAT PER_PAGE\n");
    exit(2);
}
// Read first: loading WordPress sets and unsets a global $theme.
$theme_name = $argv[5];
$per_page = $argv[7];
define('WP_INSTALLING', true);
require ABSPATH . 'wp-settings.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install('Snapshot check', 'admin', 'admin@example.test', false, '', 'not-a-secret');
foreach (get_posts(array('post_type' => 'any', 'post_status' => 'any', 'numberposts' => -1)) as $post) {
    wp_delete_post($post->ID, true);
}
$wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%postname%/');
update_option('thread_comments', 1);
update_option('thread_comments_depth', 10);
update_option('page_comments', (int) $per_page > 0 ? 1 : 0);
update_option('comments_per_page', max(1, (int) $per_page));
update_option('default_comments_page', 'oldest');
update_option('comment_order', 'asc');
update_option('timezone_string', 'Europe/Paris');
switch_theme($theme_name);
flush_rewrite_rules(false);

if ($step === 'install') {
    // {"timezone": ZONE, "users": [{login, display_name, email}], "posts":
    // [{title, slug, content, date, date_gmt, author}]}: the accounts author
    // replies are matched to, the posts comments are written to.
    $site = json_decode(stream_get_contents(STDIN), true);
    // The zone the comments' local dates are in: WordPress shows a
    // comment's time as its local date read in the site's zone.
    update_option('timezone_string', $site['timezone']);
    foreach ($site['users'] as $user) {
        wp_insert_user(array('user_login' => $user['login'], 'user_pass' => 'not-a-secret',
            'display_name' => $user['display_name'], 'user_email' => $user['email'],
            'role' => 'editor'));
    }
    $made = array('users' => array(), 'posts' => array());
    foreach ($site['users'] as $user) {
        $made['users'][$user['login']] = get_user_by('login', $user['login'])->ID;
    }
    foreach ($site['posts'] as $post) {
        $author = get_user_by('login', $post['author']);
        $id = wp_insert_post(array(
            'post_title' => $post['title'], 'post_name' => $post['slug'],
            'post_content' => $post['content'], 'post_status' => 'publish',
            'post_author' => $author ? $author->ID : 1,
            'post_date' => $post['date'], 'post_date_gmt' => $post['date_gmt'],
        ));
        $made['posts'][] = array('id' => $id, 'slug' => $post['slug'],
                                 'link' => get_permalink($id));
    }
    echo json_encode($made), "\n";
    exit(0);
}

$admin = get_user_by('login', 'admin');
wp_update_user(array('ID' => $admin->ID, 'display_name' => 'Ada Admin'));
$editor = wp_insert_user(array('user_login' => 'mira', 'user_pass' => 'not-a-secret',
    'display_name' => 'Mira Editor', 'role' => 'editor', 'user_email' => 'mira@example.test'));
$post_id = wp_insert_post(array(
    'post_title' => 'Notes on saving a thread', 'post_name' => 'saving-a-thread',
    'post_content' => 'A post whose comments are read back from its page.',
    'post_status' => 'publish', 'post_author' => $admin->ID,
    'post_date' => '2021-03-04 10:00:00', 'post_date_gmt' => '2021-03-04 09:00:00',
));

// The thread: [label, parent label, author, url, type, user, approved, content]
$thread = array(
    array('a', null, 'Lena', 'https://lena.example.test/', '', 0, 1, 'First thoughts on the post.'),
    array('b', 'a', 'Ada Admin', 'http://blog.example.test', '', $admin->ID, 1, 'The author answers <em>here</em>.'),
    array('c', 'b', 'Lena', '', '', 0, 1, "Thanks &amp; a follow-up.\n\nA second paragraph."),
    array('d', 'c', 'Mira Editor', '', '', $editor, 1, 'An editor joins in.'),
    array('e', 'd', 'Omar', '', '', 0, 1, 'Four deep now.'),
    array('f', 'e', 'Lena', '', '', 0, 1, 'Five deep.'),
    array('g', null, 'Omar', 'https://omar.example.test', '', 0, 1, 'A second top-level comment.'),
    array('h', null, 'Some Blog', 'https://other.example.test/post/', 'pingback', 0, 1, '[&#8230;] a link back to this post [&#8230;]'),
    array('i', 'g', 'Pia', '', '', 0, 1, 'A reply to Omar.'),
    array('j', null, 'Held Back', '', '', 0, 0, 'Waiting for moderation.'),
    array('k', null, 'Trackback Site', 'https://tb.example.test/', 'trackback', 0, 1, 'A trackback excerpt.'),
    array('l', null, 'Quinn', '', '', 0, 1, 'Last top-level comment, with a <a href="https://x.example.test/">link</a>.'),
);
$ids = array();
$out = array();
$minute = 0;
foreach ($thread as $row) {
    list($label, $parent, $author, $url, $type, $user, $approved, $content) = $row;
    $minute += 7;
    $gmt = gmdate('Y-m-d H:i:s', strtotime('2021-03-05 08:00:00 UTC') + 60 * $minute);
    $id = wp_insert_comment(array(
        'comment_post_ID' => $post_id, 'comment_parent' => $parent ? $ids[$parent] : 0,
        'comment_author' => $author, 'comment_author_url' => $url,
        'comment_author_email' => strtolower(preg_replace('/\W/', '', $author)) . '@example.test',
        'comment_author_IP' => '192.0.2.' . (10 + count($ids)),
        'comment_type' => $type === '' ? 'comment' : $type, 'user_id' => $user,
        'comment_approved' => $approved, 'comment_content' => $content,
        'comment_date_gmt' => $gmt, 'comment_date' => get_date_from_gmt($gmt),
    ));
    $ids[$label] = $id;
    $out[] = array('id' => $id, 'parent' => $parent ? $ids[$parent] : 0, 'author' => $author,
        'url' => $url, 'type' => $type, 'user' => $user ? get_userdata($user)->user_login : '',
        'approved' => $approved, 'date_gmt' => $gmt);
}
echo json_encode(array('post_id' => $post_id, 'link' => get_permalink($post_id),
    'version' => get_bloginfo('version'), 'comments' => $out)), "\n";
