//! Every word the cashier reads comes from here. A message is declared once with its English and
//! its Russian text side by side, so a missing translation does not compile. Numbers, money and
//! dates are formatted by the browser's `Intl`, which knows each locale's separators and symbols;
//! amounts reach it as decimal strings, never as floats.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, Function, Intl, Object, Reflect};
use pos_core::{Currency, Decimal};
use wasm_bindgen::JsValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    /// The BCP 47 tag `Intl` and the `lang` attribute take.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag.split(['-', '_']).next()?.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    /// The language's own name, shown in the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ru => "Русский",
        }
    }
}

macro_rules! messages {
    ($($key:ident => $en:literal, $ru:literal;)*) => {
        /// A user-facing message. `{}`-style named placeholders are filled by [`Msg::fill`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Msg { $($key),* }

        impl Msg {
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $( (Msg::$key, Lang::En) => $en, (Msg::$key, Lang::Ru) => $ru, )*
                }
            }
        }
    };
}

messages! {
    AppTitle => "Register", "Касса";
    NavRegister => "Register", "Касса";
    NavSales => "Sales", "Продажи";
    NavSettings => "Settings", "Настройки";
    DemoBadge => "Demo menu", "Демо-меню";
    DemoBanner => "You are selling from the demo food-truck menu. Remove it in Settings when your own catalog is ready.", "Вы продаёте по демо-меню фудтрака. Удалите его в настройках, когда ваш каталог будет готов.";
    SearchPlaceholder => "Search by name, SKU or barcode", "Поиск по названию, артикулу или штрихкоду";
    SearchLabel => "Search products", "Поиск товаров";
    AllCategories => "All", "Все";
    NoProducts => "No products match.", "Товары не найдены.";
    EmptyCatalog => "The catalog is empty. Load the demo menu in Settings to try the register.", "Каталог пуст. Загрузите демо-меню в настройках, чтобы попробовать кассу.";
    NoProductWithCode => "No product has the code {code}.", "Нет товара с кодом {code}.";
    InsecureOrigin => "This register is open at {origin}, plain http on another computer's address: the browser will not start it offline, let it reach printers, drawers, scanners or card terminals, or open it in two tabs. Open it over https (see \"Other devices on your network\" in the README), or at http://localhost on the server's own computer.", "Касса открыта по адресу {origin}: это обычный http на адресе другого компьютера, поэтому браузер не запустит её без сети, не даст подключить принтеры, денежный ящик, сканеры и платёжные терминалы и не откроет её в двух вкладках. Откройте её по https (см. «Other devices on your network» в README) или по адресу http://localhost на самом сервере.";
    CatalogStillLoading => "The catalog is still loading: try again in a moment.", "Каталог ещё загружается: повторите через мгновение.";
    Ticket => "Ticket", "Чек";
    TicketEmpty => "Tap a product to start a sale.", "Нажмите на товар, чтобы начать продажу.";
    Increase => "One more", "Добавить одну";
    Decrease => "One less", "Убрать одну";
    Remove => "Remove", "Удалить";
    Quantity => "Quantity", "Количество";
    QuantityKg => "Weight, kg", "Вес, кг";
    Modifiers => "Modifiers", "Добавки";
    LineDiscount => "Line discount", "Скидка на позицию";
    OrderDiscount => "Order discount", "Скидка на чек";
    Discount => "Discount", "Скидка";
    Percent => "%", "%";
    Amount => "Amount", "Сумма";
    Apply => "Apply", "Применить";
    Clear => "Clear", "Сбросить";
    Subtotal => "Subtotal", "Подытог";
    Discounts => "Discounts", "Скидки";
    TaxIncluded => "incl. {name}", "в т. ч. {name}";
    TaxAdded => "{name}", "{name}";
    Total => "Total", "Итого";
    Pay => "Pay {amount}", "Оплатить {amount}";
    ClearTicket => "Clear ticket", "Очистить чек";
    Items => "{count} items", "Позиций: {count}";
    ShowTicket => "Ticket", "Чек";
    InvalidQuantity => "Enter a quantity above zero (whole pieces, or kilograms with up to three decimals).", "Введите количество больше нуля (целые штуки или килограммы, до трёх знаков после запятой).";
    InvalidDiscount => "A discount is between 0 and 100 %, or a positive amount.", "Скидка — от 0 до 100 % или положительная сумма.";
    InvalidNumber => "Enter a number such as 12.50.", "Введите число, например 12,50.";
    Payment => "Payment", "Оплата";
    AmountDue => "Amount due", "К оплате";
    Remaining => "Still to pay", "Осталось оплатить";
    Cash => "Cash", "Наличные";
    Card => "Card", "Карта";
    Exact => "Exact", "Без сдачи";
    OtherAmount => "Other amount", "Другая сумма";
    TakeCash => "Take cash", "Принять наличные";
    CardInstructions => "Key the amount into the card terminal. When the terminal shows the approval, confirm it here.", "Введите сумму на банковском терминале. Когда терминал покажет одобрение, подтвердите его здесь.";
    CardAmount => "Amount on the terminal", "Сумма на терминале";
    AuthCode => "Auth code (optional)", "Код авторизации (необязательно)";
    LastFour => "Last four digits (optional)", "Последние 4 цифры (необязательно)";
    ConfirmCard => "Card approved", "Оплата картой одобрена";
    Tenders => "Tenders", "Оплаты";
    UndoTender => "Undo last tender", "Отменить последнюю оплату";
    CancelPayment => "Back to ticket", "Вернуться к чеку";
    CannotCancelWithTenders => "Undo the tenders first: money has been taken.", "Сначала отмените оплаты: деньги уже приняты.";
    Saving => "Saving the sale…", "Сохраняем продажу…";
    CardExceedsRemaining => "A card cannot be charged more than what is left to pay.", "С карты нельзя списать больше, чем осталось оплатить.";
    AmountMustBePositive => "Enter an amount above zero.", "Введите сумму больше нуля.";
    AmountFinerThanMinorUnit => "A card is charged in whole cents: enter no more decimals than the currency has, such as 12.50.", "С карты списываются только целые копейки: введите не больше знаков после запятой, чем у валюты, например 12,50.";
    AlreadyPaid => "The ticket is already paid.", "Чек уже оплачен.";
    TipExceedsCash => "The cash given does not cover the amount due and the tip.", "Полученных наличных не хватает на сумму к оплате и чаевые.";
    InvalidAuthCode => "The auth code is 1-12 letters or digits.", "Код авторизации — от 1 до 12 букв или цифр.";
    InvalidLastFour => "Type exactly the last four digits of the card, never the whole number.", "Введите ровно последние четыре цифры карты, никогда весь номер.";
    NotSaved => "This was NOT saved. Nothing already saved was lost. Try again.", "Это НЕ сохранено. Ничего из сохранённого не потеряно. Попробуйте ещё раз.";
    SaleFailed => "The sale was NOT saved. The ticket is still open; nothing was lost. Try again.", "Продажа НЕ сохранена. Чек по-прежнему открыт, ничего не потеряно. Попробуйте ещё раз.";
    SaleEmpty => "The sale was NOT saved: the ticket is empty.", "Продажа НЕ сохранена: чек пуст.";
    SaleUnderTendered => "The sale was NOT saved: part of the total is still to pay. The ticket is still open.", "Продажа НЕ сохранена: часть суммы ещё не оплачена. Чек по-прежнему открыт.";
    SaleTotalChanged => "The sale was NOT saved: the ticket changed while it was being paid. Undo the tenders and take the payment again.", "Продажа НЕ сохранена: чек изменился во время оплаты. Отмените оплаты и примите оплату заново.";
    LineGone => "That line is no longer on the ticket.", "Этой позиции уже нет в чеке.";
    ModifierNotOffered => "This modifier is not offered with this product.", "Эта добавка не предлагается к этому товару.";
    TaxCategoryMissing => "This product's tax category is missing from the catalog, so it cannot be sold. Ask the store's owner to set the product's tax.", "Налоговой категории этого товара нет в каталоге, поэтому его нельзя продать. Попросите владельца магазина указать налог товара.";
    Details => "Details", "Подробности";
    Paid => "Paid", "Оплачено";
    ChangeDue => "Change due", "Сдача";
    NoChange => "No change due", "Без сдачи";
    NewSale => "New sale", "Новая продажа";
    CashTendered => "Cash", "Наличные";
    CardTendered => "Card", "Карта";
    CardDetails => "Auth {auth} · card •••• {last4}", "Код {auth} · карта •••• {last4}";
    RecentSales => "Recent sales", "Последние продажи";
    NoSales => "No sales yet.", "Продаж пока нет.";
    Back => "Back", "Назад";
    Language => "Language", "Язык";
    DemoData => "Demo data", "Демо-данные";
    RemoveDemo => "Remove demo menu", "Удалить демо-меню";
    LoadDemo => "Load demo menu", "Загрузить демо-меню";
    DemoRemoved => "The demo menu was removed.", "Демо-меню удалено.";
    DemoIsLoaded => "The demo food-truck menu is loaded (30 products).", "Загружено демо-меню фудтрака (30 товаров).";
    NoDemo => "No demo data is loaded.", "Демо-данные не загружены.";
    Device => "This device", "Это устройство";
    DeviceCode => "Device code {code}: receipt numbers start with it.", "Код устройства {code}: с него начинаются номера чеков.";
    Dismiss => "Dismiss", "Закрыть";
    PerKg => "{price}/kg", "{price}/кг";
    UpdateReady => "A new version is ready.", "Доступна новая версия.";
    UpdateAfterTicket => "Finish the open ticket to update.", "Завершите открытый чек, чтобы обновить.";
    UpdateNow => "Update", "Обновить";
    ScanWhilePaying => "A barcode was scanned during payment and not added. Finish or cancel the payment first.", "Штрихкод отсканирован во время оплаты и не добавлен. Сначала завершите или отмените оплату.";
    StorageFull => "The device storage is full, so this was NOT saved. Nothing already saved was lost and the ticket is still open. Free some space (delete unused apps or other sites' data), then try again.", "Память устройства заполнена, поэтому это НЕ сохранено. Ничего из сохранённого не потеряно, чек по-прежнему открыт. Освободите место (удалите ненужные приложения или данные других сайтов) и попробуйте ещё раз.";
    AlreadyOpen => "This register is already open in another tab or window. Close it, or use this one after closing the other.", "Эта касса уже открыта в другой вкладке или окне. Закройте её или пользуйтесь этой после того, как закроете другую.";
    StorageBlocked => "The register's database is held by another tab with an older version. Close the other tabs of the register and reload this one.", "База данных кассы занята другой вкладкой со старой версией. Закройте другие вкладки кассы и перезагрузите эту.";
    StorageUnavailable => "This browser gives the register no storage it can use, so sales could not be kept. Leave private browsing or allow site data, then reload.", "Браузер не даёт кассе хранилище, которым она может пользоваться, поэтому продажи нельзя сохранить. Выйдите из приватного режима или разрешите данные сайтов и перезагрузите страницу.";
    NoSuchReceipt => "No receipt {number} on this device.", "На этом устройстве нет чека {number}.";
    FindReceipt => "Find a receipt by number", "Найти чек по номеру";
    Find => "Find", "Найти";
    LoadMore => "Older sales", "Более ранние продажи";
    Online => "Online", "В сети";
    Offline => "Offline", "Нет связи";
    Checking => "Connecting…", "Подключение…";
    StorageHeading => "Storage", "Хранилище";
    StorageUsage => "{used} used, {free} free on this device.", "Занято {used}, свободно {free} на этом устройстве.";
    StorageUnknown => "This browser does not tell how much storage is used.", "Браузер не сообщает, сколько места занято.";
    StoragePersisted => "The browser keeps this data even when space runs low.", "Браузер сохранит эти данные, даже если места станет мало.";
    StorageNotPersisted => "The browser may clear this data when space runs low: install the app to keep it safe.", "Браузер может удалить эти данные при нехватке места: установите приложение, чтобы они сохранились.";
    SaveAgain => "Save the sale again", "Сохранить продажу ещё раз";
    // sync and stores (issue 4)
    SyncOnline => "Synced", "Синхронизировано";
    SyncGettingStore => "Getting the store…", "Получение данных магазина…";
    SyncPending => "{count} changes not sent", "Не отправлено изменений: {count}";
    SyncLast => "Last sync {time}", "Последняя синхронизация {time}";
    SyncNever => "Never synced", "Ещё не синхронизировано";
    SyncDownloading => "Downloading the store: {done} of {total}", "Загрузка магазина: {done} из {total}";
    SyncRemoved => "Removed from the store", "Удалено из магазина";
    SyncOtherTab => "Synced in another tab", "Синхронизируется в другой вкладке";
    SyncServerStorage => "The sync server cannot store data right now. Sales stay safe on this device and are sent when the server can take them.", "Сервер синхронизации сейчас не может сохранять данные. Продажи сохранены на этом устройстве и будут отправлены, когда сервер сможет их принять.";
    SyncServerQuota => "This store has used all the room the sync server gives it. Sales stay safe on this device; ask whoever runs the server for more.", "Магазин занял всё место, которое даёт ему сервер синхронизации. Продажи сохранены на этом устройстве; попросите администратора сервера о большем.";
    SyncServerBusy => "The sync server slowed this device down. It connects again by itself; sales stay safe on this device.", "Сервер синхронизации притормозил это устройство. Оно подключится снова само; продажи сохранены на нём.";
    SyncServerRefused => "The sync server refused what this device sent. Sales stay safe on this device; show the details to whoever runs the server.", "Сервер синхронизации отклонил то, что прислало это устройство. Продажи сохранены на нём; покажите подробности администратору сервера.";
    SyncProblem => "This device cannot sync right now. Sales stay safe on this device and are sent when it is solved.", "Устройство сейчас не может синхронизироваться. Продажи сохранены на этом устройстве и будут отправлены, когда она решится.";
    SyncEngineFailed => "This device cannot sync: its sync engine did not start. Keep selling: every sale is kept on this device and is sent once the engine runs. Reload the page when the network is back.", "Это устройство не может синхронизироваться: модуль синхронизации не запустился. Продолжайте продавать: каждая продажа сохранена на этом устройстве и будет отправлена, когда модуль заработает. Перезагрузите страницу, когда появится сеть.";
    DocumentProblem => "Part of the store's data on this device could not be read or refused a record. Keep selling: every sale is kept on this device and nothing is sent twice. Tell the store's owner; do not clear this browser's data.", "Часть данных магазина на этом устройстве не читается или не приняла запись. Продолжайте продавать: каждая продажа сохранена на этом устройстве и не будет отправлена дважды. Сообщите владельцу магазина; не очищайте данные браузера.";
    EarlierSales => "{count} sales were made on this device before it joined the store.", "Продаж, сделанных на этом устройстве до подключения к магазину: {count}.";
    EarlierSalesAdd => "Add them to the store", "Добавить их в магазин";
    EarlierSalesKeep => "Keep them on this device only", "Оставить только на этом устройстве";
    WaitingForReceiptPrefix => "This device is still getting the store's settings, which give it receipt numbers no other device uses. The sale is kept as soon as they arrive (connect to the network).", "Устройство ещё получает настройки магазина, которые дают ему номера чеков, не занятые другими устройствами. Продажа будет сохранена, как только они придут (подключитесь к сети).";
    RefundedElsewhere => "This sale was already refunded on another device.", "Эта продажа уже возвращена на другом устройстве.";
    DeviceRemoved => "The owner removed this device from the store. Its sales stay here; pair it again to sync.", "Владелец удалил это устройство из магазина. Продажи остаются на нём; подключите его снова, чтобы синхронизировать.";
    JoinStoreFirst => "Create or join a store first (Settings, Store and devices).", "Сначала создайте магазин или подключитесь к нему (Настройки, Магазин и устройства).";
    SetupTitle => "Create your store", "Создание магазина";
    SetupIntro => "This link came from the sync server. The store you create here is shared by every device you pair with it; this device becomes its owner.", "Эта ссылка выдана сервером синхронизации. Магазин, созданный здесь, общий для всех подключённых устройств; это устройство станет его владельцем.";
    SetupCode => "Setup code", "Код настройки";
    StoreName => "Store name", "Название магазина";
    ReceiptSettings => "Receipt", "Чек";
    ReceiptSettingsHint => "What every receipt of the store says at the top and the bottom.", "Что пишется вверху и внизу каждого чека магазина.";
    StoreAddress => "Address", "Адрес";
    TaxNumber => "Tax number", "ИНН";
    ReceiptFooter => "Text at the bottom", "Текст внизу чека";
    ReturnPolicy => "Return policy", "Условия возврата";
    ReceiptLanguageAsScreen => "As on the screen", "Как на экране";
    SaveReceiptSettings => "Save receipt settings", "Сохранить настройки чека";
    ReceiptSettingsSaved => "Receipt settings saved.", "Настройки чека сохранены.";
    ReceiptLogo => "Logo", "Логотип";
    ReceiptLogoNone => "No logo: receipts start with the store's name.", "Логотипа нет: чек начинается с названия магазина.";
    ReceiptLogoChoose => "Choose an image", "Выбрать изображение";
    ReceiptLogoRemove => "Remove logo", "Убрать логотип";
    ReceiptLogoSaved => "Logo saved: it prints at the top of every receipt of the store.", "Логотип сохранён: он печатается вверху каждого чека магазина.";
    ReceiptLogoRemoved => "Logo removed.", "Логотип убран.";
    ReceiptLogoFailed => "This image cannot be the logo.", "Это изображение нельзя сделать логотипом.";
    Currency => "Currency", "Валюта";
    StoreLanguage => "Language of receipts", "Язык чеков";
    OwnerPin => "Owner PIN (4 to 6 digits)", "PIN владельца (от 4 до 6 цифр)";
    OwnerPinAgain => "Owner PIN again", "PIN владельца ещё раз";
    DeviceName => "Name of this device", "Название этого устройства";
    CreateStore => "Create the store", "Создать магазин";
    PinInvalid => "A PIN is 4 to 6 digits.", "PIN — от 4 до 6 цифр.";
    PinsDiffer => "The two PINs differ.", "PIN-коды не совпадают.";
    NameRequired => "Enter a name.", "Введите название.";
    StoreCreated => "The store {name} is ready. This device is its owner.", "Магазин {name} готов. Это устройство — его владелец.";
    ServerUnreachable => "The server cannot be reached. Check the connection and try again.", "Сервер недоступен. Проверьте подключение и попробуйте снова.";
    ServerRefused => "The server refused this. Try again; if it refuses again, tell the store's owner.", "Сервер отказал. Попробуйте ещё раз; если он снова откажет, сообщите владельцу магазина.";
    ServerInvalid => "The server did not accept what was sent. Check what you typed and try again.", "Сервер не принял отправленные данные. Проверьте введённое и попробуйте ещё раз.";
    ServerNotPaired => "This device is not (or no longer) paired with the store. Pair it again.", "Это устройство не подключено (или больше не подключено) к магазину. Подключите его снова.";
    ServerForbidden => "The server refused: the code is wrong, or only the owner's device may do this.", "Сервер отказал: код неверный или это может сделать только устройство владельца.";
    ServerNotFound => "The server does not know this device. Reload the list and try again.", "Сервер не знает этого устройства. Обновите список и попробуйте ещё раз.";
    ServerCodeUsed => "This code was used already or has expired. Ask for a new one.", "Этот код уже использован или истёк. Попросите новый.";
    ServerTooManyTries => "Too many wrong codes from this device. Wait a minute, then try again.", "Слишком много неверных кодов с этого устройства. Подождите минуту и попробуйте снова.";
    ServerPairingPaused => "Too many wrong pairing codes reached the server from many devices, so pairing is paused for everyone for up to 10 minutes. Wait, then try again.", "На сервер пришло слишком много неверных кодов подключения с разных устройств, поэтому подключение приостановлено для всех на время до 10 минут. Подождите и попробуйте снова.";
    ServerUnavailable => "The server's database is not available. Try again in a moment.", "База данных сервера недоступна. Попробуйте чуть позже.";
    ServerUnreadable => "The server's answer could not be read: it may be another version. Reload the page and try again.", "Ответ сервера не читается: возможно, у него другая версия. Перезагрузите страницу и попробуйте ещё раз.";
    JoinTitle => "Join a store", "Подключение к магазину";
    JoinHint => "On the owner's device open Settings, Store and devices, Pair a device; then type the code shown there or scan its QR code.", "На устройстве владельца откройте Настройки, Магазин и устройства, Подключить устройство; затем введите показанный код или отсканируйте QR-код.";
    PairingCode => "Pairing code", "Код подключения";
    JoinStore => "Join the store", "Подключиться";
    Joined => "This device joined {name}.", "Устройство подключено к магазину {name}.";
    StoreSection => "Store and devices", "Магазин и устройства";
    StoreMember => "{store}: this device is {device} ({role}).", "{store}: это устройство — {device} ({role}).";
    NotInStore => "This device sells on its own. Open the setup link the server printed to create a store, or join one with a pairing code.", "Это устройство работает само по себе. Откройте ссылку настройки, которую вывел сервер, чтобы создать магазин, или подключитесь к магазину по коду.";
    RoleOwner => "owner", "владелец";
    RoleDevice => "device", "устройство";
    PairDevice => "Pair a device", "Подключить устройство";
    WrongPin => "Wrong PIN.", "Неверный PIN.";
    PairingCodeValid => "Type this code on the new device, or scan the QR code. It works once, for {minutes} minutes.", "Введите этот код на новом устройстве или отсканируйте QR-код. Он действует один раз, {minutes} мин.";
    DevicesHeading => "Devices of the store", "Устройства магазина";
    RevokeDevice => "Remove", "Удалить";
    DeviceRevoked => "removed", "удалено";
    ThisDevice => "this device", "это устройство";
    ShowDevices => "Show devices", "Показать устройства";
    ProductsHeading => "Prices and stock", "Цены и остатки";
    Price => "Price", "Цена";
    CountedStock => "Counted stock", "Остаток по пересчёту";
    Save => "Save", "Сохранить";
    PriceSaved => "Price saved for every device.", "Цена сохранена для всех устройств.";
    StockSaved => "Stock count saved.", "Пересчёт сохранён.";
    PriceConflictNote => "{product}: two prices were set at once ({prices}); every device uses {price}.", "{product}: одновременно заданы две цены ({prices}); все устройства используют {price}.";
    StockLeft => "{count} left", "Осталось: {count}";
    // printers and drawer (issue 5)
    PrinterHeading => "Receipt printer", "Принтер чеков";
    PrinterNone => "No printer is set up: receipts are shown on screen only.", "Принтер не настроен: чеки только на экране.";
    PrinterConnection => "Connection", "Подключение";
    PrinterUsb => "USB", "USB";
    PrinterSerial => "Serial port", "Последовательный порт";
    PrinterBluetooth => "Bluetooth", "Bluetooth";
    PrinterModel => "Printer model", "Модель принтера";
    PaperWidth => "Characters per line", "Символов в строке";
    BaudRate => "Speed, baud", "Скорость, бод";
    StopBits => "Stop bits (ZVT uses 2)", "Стоповые биты (в ZVT — 2)";
    ChunkSize => "Bluetooth chunk size, bytes", "Размер порции Bluetooth, байт";
    AddPrinter => "Connect printer", "Подключить принтер";
    UsbUnsupported => "This browser cannot reach USB printers (Firefox, Safari and iPhone or iPad browsers lack WebUSB). Use Chrome or Edge on a computer or Android, or connect the printer by Bluetooth.", "Этот браузер не работает с USB-принтерами (в Firefox, Safari и браузерах iPhone и iPad нет WebUSB). Откройте кассу в Chrome или Edge на компьютере или Android либо подключите принтер по Bluetooth.";
    SerialUnsupported => "This browser cannot reach serial ports (Firefox, Safari and iPhone or iPad browsers lack WebSerial). Use Chrome or Edge on a computer, or connect the printer by USB or Bluetooth.", "Этот браузер не работает с последовательными портами (в Firefox, Safari и браузерах iPhone и iPad нет WebSerial). Откройте кассу в Chrome или Edge на компьютере либо подключите принтер по USB или Bluetooth.";
    BluetoothUnsupported => "This browser cannot reach Bluetooth printers (Firefox, Safari and iPhone or iPad browsers lack Web Bluetooth). Use Chrome or Edge, or connect the printer by USB or serial port.", "Этот браузер не работает с Bluetooth-принтерами (в Firefox, Safari и браузерах iPhone и iPad нет Web Bluetooth). Откройте кассу в Chrome или Edge либо подключите принтер по USB или через последовательный порт.";
    PrinterSummary => "{name}: {model}, {connection}.", "{name}: {model}, {connection}.";
    PrinterSummaryModel => "{model}, {connection}.", "{model}, {connection}.";
    PrintAfterSale => "Print the receipt after each sale", "Печатать чек после каждой продажи";
    PrintTestPage => "Print test page", "Печать тестовой страницы";
    ForgetPrinter => "Forget printer", "Забыть принтер";
    TestPageTitle => "Test page", "Тестовая страница";
    TestPageBody => "If this text and the line below are readable, the printer is set up.", "Если этот текст и строка ниже читаются, принтер настроен.";
    Printing => "Printing…", "Печать…";
    Printed => "Printed.", "Напечатано.";
    PrintReceipt => "Print receipt", "Печать чека";
    PrintCustomerCopy => "Print customer copy", "Печать копии покупателя";
    PrintMerchantCopy => "Print merchant copy", "Печать копии продавца";
    PrintAgain => "Print again", "Печатать снова";
    PrinterCoverOpen => "The printer cover is open. Close it firmly and press Print again. The sale is saved.", "Крышка принтера открыта. Плотно закройте её и нажмите «Печатать снова». Продажа сохранена.";
    PrinterPaperOut => "The printer is out of paper. Load a new roll and press Print again. The sale is saved.", "В принтере закончилась бумага. Вставьте новый рулон и нажмите «Печатать снова». Продажа сохранена.";
    PrinterCutterJammed => "The paper cutter is jammed. Open the cover, remove the stuck paper, close the cover and press Print again.", "Заело отрезчик бумаги. Откройте крышку, уберите застрявшую бумагу, закройте крышку и нажмите «Печатать снова».";
    PrinterFault => "The printer has a fault. Turn it off and on again; if this message comes back, call for service.", "Неисправность принтера. Выключите и включите его; если сообщение повторится, вызовите мастера.";
    PrinterError => "The printer stopped with an error. Open and close its cover, then press Print again.", "Принтер остановился с ошибкой. Откройте и закройте крышку, затем нажмите «Печатать снова».";
    PrinterOffline => "The printer is not ready. Check its cover and paper, then press Print again.", "Принтер не готов. Проверьте крышку и бумагу, затем нажмите «Печатать снова».";
    PrinterDisconnected => "The printer disconnected before the receipt was finished. Check its cable, power or Bluetooth, then press Print again. The sale is saved.", "Принтер отключился, не допечатав чек. Проверьте кабель, питание или Bluetooth и нажмите «Печатать снова». Продажа сохранена.";
    PrinterNotConnected => "The printer is not connected. Switch it on and plug it in, then press Print again; if it still fails, connect it again in Settings.", "Принтер не подключён. Включите и подключите его, затем нажмите «Печатать снова»; если не помогло, подключите его заново в настройках.";
    PrinterClaimed => "The computer's own printer driver holds this USB printer, so the browser cannot use it (usual on Windows). Connect the printer by serial port or Bluetooth instead, or replace its driver with WinUSB.", "USB-принтер занят драйвером компьютера, поэтому браузер не может им пользоваться (обычно в Windows). Подключите принтер через последовательный порт или Bluetooth либо замените драйвер на WinUSB.";
    PrinterNotChosen => "No printer was chosen.", "Принтер не выбран.";
    PrinterNoInterface => "This USB device is not a receipt printer the register can use. Choose the printer, or connect it by serial port or Bluetooth.", "Это USB-устройство не подходит как принтер чеков. Выберите принтер или подключите его через последовательный порт или Bluetooth.";
    PrinterFailed => "Printing failed. Press Print again. The sale is saved.", "Печать не удалась. Нажмите «Печатать снова». Продажа сохранена.";
    PrinterCannotEncode => "This receipt cannot be printed on this printer as set up: check the printer model in Settings. The sale is saved.", "Этот чек нельзя напечатать на принтере с такими настройками: проверьте модель принтера в настройках. Продажа сохранена.";
    PrinterPaperNearEnd => "The paper roll is nearly finished. Have a new roll ready.", "Рулон бумаги почти закончился. Приготовьте новый.";
    NoSale => "No sale", "Без продажи";
    NoSaleReason => "Why open the drawer?", "Зачем открыть ящик?";
    OpenDrawer => "Open drawer", "Открыть ящик";
    NoSaleNeedsReason => "Give a reason to open the drawer.", "Укажите, зачем открыть ящик.";
    DrawerNeedsPrinter => "The cash drawer opens through the receipt printer: set one up in Settings.", "Денежный ящик открывается через принтер чеков: настройте принтер в настройках.";
    DrawerOpenings => "Recent drawer openings", "Последние открытия ящика";
    NoDrawerOpenings => "The drawer has not been opened yet.", "Ящик ещё не открывали.";
    DrawerForSale => "Sale {receipt}", "Продажа {receipt}";
    DrawerNoSale => "No sale: {reason}", "Без продажи: {reason}";
    DrawerByDevice => "device {device}", "устройство {device}";
    Cancel => "Cancel", "Отмена";
    ConnectAgain => "Connect again", "Подключить заново";
    // card terminals and scanners (issue 5)
    Training => "TRAINING", "УЧЕБНЫЙ РЕЖИМ";
    CardTerminal => "Card terminal", "Банковский терминал";
    TerminalModel => "Model", "Модель";
    TerminalSerial => "Serial number", "Серийный номер";
    TerminalConnection => "Connection", "Подключение";
    ConnectionStandalone => "Standalone (the cashier keys the amount on the terminal)", "Автономный (кассир вводит сумму на терминале)";
    ConnectionTraining => "Training simulator (no money is taken)", "Учебный симулятор (деньги не принимаются)";
    ConnectionZvt => "ZVT over a serial port", "ZVT через последовательный порт";
    InvalidBaudRate => "Choose a speed from the list.", "Выберите скорость из списка.";
    InvalidStopBits => "Stop bits are 1 or 2.", "Стоповых битов — 1 или 2.";
    InvalidTerminalPassword => "The terminal's password is six digits (many terminals ship with 000000), or leave it empty.", "Пароль терминала — шесть цифр (у многих терминалов 000000) или пустое поле.";
    InvalidPrinterModel => "Choose the printer model from the list.", "Выберите модель принтера из списка.";
    InvalidPaperWidth => "Choose the characters per line from the list.", "Выберите число символов в строке из списка.";
    InvalidChunkSize => "The Bluetooth chunk size is a number of bytes, such as 100.", "Размер порции Bluetooth — число байт, например 100.";
    InvalidReceiptLanguage => "Choose the language of receipts from the list.", "Выберите язык чеков из списка.";
    InvalidCurrency => "Choose the currency from the list.", "Выберите валюту из списка.";
    StockNegative => "A stock count is zero or more.", "Остаток по пересчёту — ноль или больше.";
    TrainingOutcomeLabel => "The simulator answers", "Ответ симулятора";
    OutcomeApprove => "Approve", "Одобрить";
    OutcomeDecline => "Decline", "Отклонить";
    OutcomeWrongPin => "Wrong PIN", "Неверный PIN";
    OutcomeTimeout => "No answer (timeout)", "Нет ответа (тайм-аут)";
    OutcomeDisconnect => "Disconnected", "Отключён";
    TerminalPassword => "Terminal password (6 digits, for registration and end of day)", "Пароль терминала (6 цифр, для регистрации и закрытия дня)";
    ChooseSerialPort => "Choose the serial port", "Выбрать последовательный порт";
    SerialPortChosen => "A serial port is chosen.", "Последовательный порт выбран.";
    SerialPortNone => "No serial port chosen yet.", "Последовательный порт ещё не выбран.";
    SaveTerminal => "Save terminal", "Сохранить терминал";
    TerminalSaved => "The card terminal is saved.", "Банковский терминал сохранён.";
    CheckConnection => "Check connection", "Проверить связь";
    LastOperation => "Last operation", "Последняя операция";
    EndOfDayTotals => "End-of-day totals", "Итоги дня";
    RepeatReceipt => "Repeat receipt", "Повторить чек";
    TerminalAnswers => "The terminal answers.", "Терминал отвечает.";
    ReportApproved => "Approved: {amount}, terminal receipt {receipt}.", "Одобрено: {amount}, чек терминала {receipt}.";
    ReportNotApproved => "Not approved: {amount}, terminal receipt {receipt}.", "Не одобрено: {amount}, чек терминала {receipt}.";
    ReportNoOperation => "The terminal has no operation to report.", "У терминала нет операций.";
    ReportTotals => "Day closed. Card payments: {count}, total {amount}.", "День закрыт. Платежей по картам: {count}, на сумму {amount}.";
    PayOnTerminal => "Charge {amount} on the terminal", "Списать {amount} через терминал";
    TerminalCardInstructions => "The amount goes to the card terminal; the customer pays there.", "Сумма уйдёт на банковский терминал, покупатель платит на нём.";
    TerminalSending => "Sending the amount to the terminal…", "Отправляем сумму на терминал…";
    TerminalRecovering => "Asking the terminal what became of the last payment…", "Спрашиваем терминал о последнем платеже…";
    TerminalInsertCard => "Terminal: insert, tap or swipe the card", "Терминал: вставьте, приложите или проведите карту";
    TerminalPin => "Terminal: the customer enters the PIN", "Терминал: покупатель вводит PIN";
    TerminalWaitingForBank => "Terminal: waiting for the bank", "Терминал: ждём ответа банка";
    TerminalRemoveCard => "Terminal: remove the card", "Терминал: заберите карту";
    TerminalPleaseWait => "Terminal: please wait", "Терминал: подождите";
    TerminalConfirmAmount => "Terminal: waiting for the amount to be confirmed", "Терминал: ждём подтверждения суммы";
    TerminalNotAccepted => "Terminal: not accepted", "Терминал: не принято";
    TerminalAutoReversal => "Terminal: sending an automatic reversal", "Терминал: отправляет автоматическую отмену";
    TerminalPostBookings => "Terminal: sending held transactions", "Терминал: отправляет отложенные операции";
    TerminalCardNotAdmitted => "Terminal: this card is not accepted here", "Терминал: эта карта здесь не принимается";
    TerminalCardUnknown => "Terminal: card unknown", "Терминал: карта неизвестна";
    TerminalCardExpired => "Terminal: the card has expired", "Терминал: срок действия карты истёк";
    TerminalCardUnreadable => "Terminal: the card cannot be read", "Терминал: карта не читается";
    TerminalProcessingError => "Terminal: processing error", "Терминал: ошибка обработки";
    TerminalAutoEndOfDay => "Terminal: automatic end of day", "Терминал: автоматическое закрытие дня";
    TerminalInvalidCard => "Terminal: invalid card", "Терминал: недействительная карта";
    TerminalShowsBalance => "Terminal: showing the card balance", "Терминал: показывает баланс карты";
    TerminalMalfunction => "Terminal: system malfunction", "Терминал: системный сбой";
    TerminalPaymentNotPossible => "Terminal: payment not possible", "Терминал: оплата невозможна";
    TerminalInsufficientFunds => "Terminal: insufficient funds", "Терминал: недостаточно средств";
    TerminalWrongPinScreen => "Terminal: wrong PIN", "Терминал: неверный PIN";
    TerminalLimitExceeded => "Terminal: the card's limit is not sufficient", "Терминал: лимита карты недостаточно";
    TerminalPinTriesExceeded => "Terminal: too many wrong PINs", "Терминал: превышено число попыток ввода PIN";
    TerminalCardDataWrong => "Terminal: card data incorrect", "Терминал: неверные данные карты";
    TerminalServiceMode => "Terminal: in service mode", "Терминал: в сервисном режиме";
    TerminalApprovedFillUp => "Terminal: approved, please fill up", "Терминал: одобрено, можно заправляться";
    TerminalApprovedTakeGoods => "Terminal: approved, the customer may take the goods", "Терминал: одобрено, покупатель может забрать товар";
    TerminalDeclinedScreen => "Terminal: declined", "Терминал: отклонено";
    TerminalConnecting => "Terminal: connecting to the bank", "Терминал: соединяется с банком";
    TerminalConnectedToBank => "Terminal: connected to the bank", "Терминал: соединение с банком установлено";
    TerminalChooseApplication => "Terminal: the customer chooses the card's application", "Терминал: покупатель выбирает приложение карты";
    TerminalChooseLanguage => "Terminal: the customer chooses a language", "Терминал: покупатель выбирает язык";
    TerminalBankOffline => "Terminal: no connection to the bank", "Терминал: нет связи с банком";
    TerminalBankOnline => "Terminal: connected to the bank again", "Терминал: связь с банком восстановлена";
    TerminalOfflinePayment => "Terminal: payment without the bank (offline)", "Терминал: оплата без связи с банком (офлайн)";
    TerminalDeclined => "The card was declined. Nothing was charged: ask for another card or another way to pay.", "Карта отклонена. Деньги не списаны: попросите другую карту или другой способ оплаты.";
    TerminalWrongPin => "The PIN was wrong and the terminal stopped. Nothing was charged: the customer can try again.", "PIN введён неверно, терминал прервал оплату. Деньги не списаны: покупатель может попробовать снова.";
    TerminalCancelled => "The payment was cancelled on the terminal. Nothing was charged.", "Оплата отменена на терминале. Деньги не списаны.";
    TerminalCardProblem => "The terminal cannot use this card (unreadable, expired or unknown). Nothing was charged.", "Терминал не может принять эту карту (не читается, истекла или неизвестна). Деньги не списаны.";
    TerminalBusy => "The terminal is busy with something else. Finish it on the terminal, then try again.", "Терминал занят другой операцией. Завершите её на терминале и попробуйте снова.";
    TerminalNoBank => "The terminal cannot reach the bank. Nothing was charged: try again in a moment or take another way to pay.", "Терминал не может связаться с банком. Деньги не списаны: попробуйте позже или примите оплату иначе.";
    TerminalNotSetUp => "The terminal is not set up for this. Check its password and registration in Settings.", "Терминал не настроен для этой операции. Проверьте пароль и регистрацию в настройках.";
    TerminalTimeout => "The terminal did not answer in time. Nothing was recorded and the payment is still open: check the terminal and try again.", "Терминал не ответил вовремя. Ничего не записано, оплата открыта: проверьте терминал и попробуйте снова.";
    TerminalDisconnected => "The card terminal is not connected. Check its cable and power, then try again; the payment is still open.", "Банковский терминал не подключён. Проверьте кабель и питание и попробуйте снова; оплата открыта.";
    TerminalConnectionLost => "The connection to the terminal broke during the operation. Check its cable and power.", "Связь с терминалом прервалась во время операции. Проверьте кабель и питание.";
    TerminalNoPort => "No serial port is chosen for the terminal, or this browser has no WebSerial. Choose the port in Settings.", "Для терминала не выбран последовательный порт, или браузер не поддерживает WebSerial. Выберите порт в настройках.";
    TerminalStandalone => "This terminal is standalone: key the amount on it and confirm here.", "Это автономный терминал: введите сумму на нём и подтвердите здесь.";
    TerminalFault => "The terminal reported a fault. Check the terminal; the payment is still open.", "Терминал сообщил о сбое. Проверьте терминал; оплата открыта.";
    TerminalNotCharged => "The terminal did not charge this sale. Take the payment again.", "Терминал не списал деньги за эту продажу. Примите оплату снова.";
    TerminalUnknownResult => "The terminal's answer is not known: it may have charged the card. Press \"Ask the terminal\" when it is back, or check its last slip.", "Ответ терминала неизвестен: деньги могли быть списаны. Нажмите «Спросить терминал», когда он снова на связи, или проверьте его последний чек.";
    TerminalInFlight => "{amount} was sent to the terminal and its answer was not received.", "{amount} отправлено на терминал, ответ не получен.";
    AskTerminal => "Ask the terminal", "Спросить терминал";
    NotChargedOnSlip => "The slip shows no payment: try again", "На чеке терминала оплаты нет: повторить";
    TerminalStillOpen => "A card payment is with the terminal. Wait for its answer or ask the terminal first.", "Оплата картой ещё на терминале. Дождитесь ответа или сначала спросите терминал.";
    TerminalPrint => "Terminal receipt", "Чек терминала";
    ReverseOnTerminal => "Reverse on the terminal", "Отменить на терминале";
    UndoNeedsReversal => "The terminal charged this card, so it cannot be removed here: press \"Reverse on the terminal\" to give the money back.", "Терминал списал деньги с этой карты, удалить оплату здесь нельзя: нажмите «Отменить на терминале», чтобы вернуть деньги.";
    CancelNeedsReversal => "A card was charged on the terminal: reverse it on the terminal before going back to the ticket.", "С карты списаны деньги на терминале: отмените платёж на терминале, прежде чем вернуться к чеку.";
    NothingToUndo => "There is no tender to undo.", "Нет оплаты, которую можно отменить.";
    NothingToReverse => "There is no card payment of the terminal to reverse.", "Нет оплаты картой на терминале, которую можно отменить.";
    ReversalDone => "The terminal reversed the card payment of {amount}. The money is back on the card.", "Терминал отменил оплату картой на {amount}. Деньги возвращены на карту.";
    ReversalNotDone => "The terminal did not reverse the card payment: {why} The card payment stays recorded.", "Терминал не отменил оплату картой: {why} Оплата картой остаётся в чеке.";
    ReversalNotAtTerminal => "the terminal has no reversal of it.", "на терминале нет её отмены.";
    ReversalWhyDeclined => "the terminal declined it (its day may be closed, or the payment is not in its journal).", "терминал отклонил её (возможно, его день закрыт или платежа нет в его журнале).";
    ReversalInFlight => "A reversal of {amount} was sent to the terminal and its answer was not received.", "Отмена оплаты на {amount} отправлена на терминал, ответ не получен.";
    NoReversalOnSlip => "The slip shows no reversal: keep the payment", "На чеке терминала отмены нет: оставить оплату";
    CardExcess => "The terminal approved {amount} more than asked (a tip on the terminal?)", "Терминал одобрил на {amount} больше, чем запрошено (чаевые на терминале?)";
    ApprovalNotRecorded => "The terminal approved {amount}, but it could not be recorded ({reason}). It stays with the terminal: press \"Ask the terminal\".", "Терминал одобрил {amount}, но записать оплату не удалось ({reason}). Она остаётся на терминале: нажмите «Спросить терминал».";
    Scanners => "Scanners", "Сканеры";
    HidScannerAdd => "Connect a USB scanner (HID-POS)", "Подключить USB-сканер (HID-POS)";
    HidScannerNone => "No HID-POS scanner connected. Keyboard-mode scanners work without setup.", "Сканер HID-POS не подключён. Сканеры в режиме клавиатуры работают без настройки.";
    HidScannerReady => "Scanner ready: {name}", "Сканер готов: {name}";
    HidUnavailable => "This browser has no WebHID: use a scanner in keyboard mode, or Chrome or Edge.", "Браузер не поддерживает WebHID: используйте сканер в режиме клавиатуры или Chrome/Edge.";
    ScanWithCamera => "Scan with camera", "Сканировать камерой";
    CameraHint => "Hold the barcode in front of the camera.", "Поднесите штрихкод к камере.";
    CameraClose => "Close camera", "Закрыть камеру";
    CameraUnavailable => "The camera cannot be used. Allow camera access for this site, or use a scanner.", "Камеру нельзя использовать. Разрешите сайту доступ к камере или используйте сканер.";
    CameraReaderStopped => "The camera's barcode reader stopped. Open the camera again, or use a scanner.", "Модуль чтения штрихкодов с камеры остановился. Откройте камеру ещё раз или используйте сканер.";
    CameraNoDecoder => "Barcodes cannot be read from the camera. Connect to the internet once so the reader can be loaded, or use a scanner or type the code in the search box.", "Штрихкоды нельзя считать камерой. Подключитесь к интернету, чтобы загрузить модуль чтения, или используйте сканер либо введите код в поиске.";
    RefundAction => "Refund", "Возврат";
    Refunded => "Refunded", "Возвращено";
    RefundUnfinished => "Refund not finished", "Возврат не завершён";
    RefundTitle => "Refund sale {receipt}", "Возврат продажи {receipt}";
    RefundReason => "Reason for the refund", "Причина возврата";
    RefundToCard => "Back to the card", "На карту";
    RefundInCash => "In cash from the drawer", "Наличными из ящика";
    RefundByReversal => "The card terminal cancels the payment (same terminal day: no fee).", "Банковский терминал отменит платёж (тот же день терминала: без комиссии).";
    RefundByTerminal => "The card terminal pays the amount back to the card.", "Банковский терминал вернёт сумму на карту.";
    RefundOnBankTerminal => "Refund {amount} on the bank's terminal now, then confirm here.", "Сделайте возврат {amount} на банковском терминале, затем подтвердите здесь.";
    ConfirmBankRefund => "The bank's terminal paid it back", "Банковский терминал вернул деньги";
    RefundConfirm => "Refund {amount}", "Вернуть {amount}";
    RefundRetry => "Try the refund again", "Повторить возврат";
    RefundInFlight => "The refund of {amount} was sent to the terminal and its answer was not received.", "Возврат {amount} отправлен на терминал, ответ не получен.";
    RefundNeedsReason => "Give a reason for the refund.", "Укажите причину возврата.";
    RefundRealOnTraining => "The card terminal is in training mode: a real card payment cannot be refunded by the simulator. Set the real terminal in Settings.", "Банковский терминал в режиме обучения: реальный платёж картой нельзя вернуть через симулятор. Выберите настоящий терминал в настройках.";
    RefundTrainingOnRealTerminal => "This is a training sale: switch the card terminal to training in Settings to refund it.", "Это учебная продажа: переключите банковский терминал в режим обучения в настройках, чтобы сделать возврат.";
    RefundDeclined => "The terminal declined the refund. Nothing was paid back and the sale is not refunded: try again.", "Терминал отклонил возврат. Деньги не возвращены, продажа не возвращена: попробуйте снова.";
    RefundReversalRefused => "The terminal could not cancel the payment (its day may be closed). Nothing was paid back: try again to refund the amount to the card.", "Терминал не смог отменить платёж (возможно, его день закрыт). Деньги не возвращены: повторите, чтобы вернуть сумму на карту.";
    RefundWhyNoBank => "the terminal cannot reach the bank", "терминал не может связаться с банком";
    RefundWhyNotConnected => "the card terminal is not connected", "банковский терминал не подключён";
    RefundWhyNoAnswer => "the terminal did not answer in time", "терминал не ответил вовремя";
    RefundNotAtTerminal => "the terminal has no record of it", "на терминале его нет";
    RefundNotPaidBack => "The refund did not go through ({why}). Nothing was paid back and the sale is not refunded: try again.", "Возврат не прошёл ({why}). Деньги не возвращены, продажа не возвращена: попробуйте снова.";
    RefundUnknownResult => "The terminal's answer is not known: it may have paid the refund back. Press \"Ask the terminal\" when it is back, or check its last slip.", "Ответ терминала неизвестен: возврат мог пройти. Нажмите «Спросить терминал», когда он снова на связи, или проверьте его последний чек.";
    RefundDone => "Sale {receipt} is refunded.", "Продажа {receipt} возвращена.";
    RefundDoneHandBackCash => "Sale {receipt} is refunded. Hand back {cash} in cash.", "Продажа {receipt} возвращена. Выдайте {cash} наличными.";
    RefundHandBack => "Hand back {amount} in cash.", "Выдайте {amount} наличными.";
    DrawerForRefund => "Refund of {receipt}: {reason}", "Возврат {receipt}: {reason}";
    Close => "Close", "Закрыть";

    // ---- The menu: products, categories, modifiers, taxes (#12) ----
    NavMenu => "Menu", "Меню";
    MenuProducts => "Products", "Товары";
    MenuCategories => "Categories", "Категории";
    MenuModifiers => "Modifiers", "Добавки";
    MenuTaxes => "Taxes", "Налоги";
    MenuSaved => "Saved to the menu.", "Сохранено в меню.";
    MenuInOtherCurrency => "The menu's prices are in {menu}, but the store sells in {store}. Nothing is sold from it until its prices are converted or an empty menu is started.", "Цены меню указаны в {menu}, а магазин продаёт в {store}. Из этого меню ничего не продаётся, пока цены не пересчитаны или не начато пустое меню.";
    ExchangeRate => "1 {menu} = ? {store}", "1 {menu} = ? {store}";
    ConvertMenu => "Convert the prices", "Пересчитать цены";
    StartEmptyMenu => "Start an empty menu", "Начать пустое меню";
    MenuConverted => "The menu's prices are converted.", "Цены меню пересчитаны.";
    MenuEmptied => "The menu is empty: add your products.", "Меню пусто: добавьте свои товары.";
    MenuNeedsCategory => "Add a category and a tax first: every product belongs to one of each.", "Сначала добавьте категорию и налог: каждый товар относится к одной категории и одному налогу.";
    NewProduct => "New product", "Новый товар";
    EditProduct => "Edit product", "Изменить товар";
    ShowArchived => "Show archived", "Показать архивные";
    PriceTypedAtSale => "Price typed at sale", "Цена вводится при продаже";
    VariantCount => "{count} variants", "Вариантов: {count}";
    ProductName => "Name", "Название";
    Category => "Category", "Категория";
    Unit => "Unit", "Единица";
    UnitPiece => "Piece", "Штука";
    UnitKilogram => "Kilogram", "Килограмм";
    UnitLitre => "Litre", "Литр";
    Tax => "Tax", "Налог";
    Sku => "SKU", "Артикул";
    Barcodes => "Barcodes", "Штрихкоды";
    CostPrice => "Cost price", "Себестоимость";
    TileColour => "Colour", "Цвет";
    ArchiveProduct => "Archive", "В архив";
    RestoreProduct => "Restore", "Вернуть из архива";
    Variants => "Variants (sizes, flavours)", "Варианты (размеры, вкусы)";
    VariantName => "Variant", "Вариант";
    AddVariant => "Add a variant", "Добавить вариант";
    ModifierGroups => "Modifier groups", "Группы добавок";
    CategoryName => "Category name", "Название категории";
    AddCategory => "Add category", "Добавить категорию";
    MoveUp => "Move up", "Выше";
    MoveDown => "Move down", "Ниже";
    ModifierName => "Modifier", "Добавка";
    AddModifier => "Add modifier", "Добавить добавку";
    NewGroup => "New group", "Новая группа";
    GroupName => "Group name", "Название группы";
    GroupMin => "At least", "Не меньше";
    GroupMax => "At most (empty: any)", "Не больше (пусто: сколько угодно)";
    ChooseExactly => "choose {count}", "выберите {count}";
    ChooseUpTo => "up to {count}", "до {count}";
    ChooseBetween => "choose {min} to {max}", "выберите от {min} до {max}";
    ChooseAny => "optional", "по желанию";
    ChooseAtLeastRule => "at least {count}", "не меньше {count}";
    TaxName => "Tax name", "Название налога";
    TaxRatePercent => "Rate, %", "Ставка, %";
    AddTax => "Add tax", "Добавить налог";
    TaxPreset => "Taxes of a country", "Налоги страны";
    AddTaxPreset => "Add these taxes", "Добавить эти налоги";
    TaxRateChangeNote => "When a rate changes on a date, add a new tax and move the products to it: tickets already open keep the rate they were opened with.", "Если ставка меняется с определённой даты, добавьте новый налог и переведите на него товары: уже открытые чеки сохранят свою ставку.";
    AddToTicket => "Add", "Добавить";
    PerLitre => "{price}/l", "{price}/л";
    QuantityLitre => "Quantity, l", "Количество, л";
    ProductGone => "This product is no longer in the menu.", "Этого товара больше нет в меню.";
    ProductArchived => "This product is archived and is not sold.", "Этот товар в архиве и не продаётся.";
    ChooseVariant => "Choose a size or flavour.", "Выберите размер или вкус.";
    VariantGone => "That variant is no longer offered.", "Этот вариант больше не предлагается.";
    TypePrice => "Type the price", "Введите цену";
    PriceOutOfRange => "Enter a price above zero and at most {max}.", "Введите цену больше нуля и не больше {max}.";
    ChooseAtLeast => "Choose at least {count} in “{group}”.", "Выберите не меньше {count} в группе «{group}».";
    ChooseAtMost => "Choose at most {count} in “{group}”.", "Выберите не больше {count} в группе «{group}».";
    NameMissing => "Enter a name.", "Введите название.";
    NameTooLong => "A name is at most 120 characters.", "Название — не длиннее 120 символов.";
    ChooseTax => "Choose a tax for “{item}”.", "Выберите налог для «{item}».";
    ChooseCategory => "Choose a category for “{item}”.", "Выберите категорию для «{item}».";
    ModifierGone => "“{item}” names a modifier that is no longer in the menu.", "«{item}» ссылается на добавку, которой больше нет в меню.";
    GroupGone => "“{item}” names a modifier group that is no longer in the menu.", "«{item}» ссылается на группу добавок, которой больше нет в меню.";
    PriceNegative => "“{item}”: a price cannot be negative.", "«{item}»: цена не может быть отрицательной.";
    PriceNeeded => "“{item}”: enter a price above zero, or mark the price as typed at sale.", "«{item}»: введите цену больше нуля или отметьте, что цена вводится при продаже.";
    PriceTooHigh => "“{item}”: the price is too high.", "«{item}»: слишком высокая цена.";
    SkuMissing => "Enter a SKU.", "Введите артикул.";
    SkuTaken => "The SKU {code} is already used by “{other}”.", "Артикул {code} уже занят товаром «{other}».";
    BarcodeBlank => "A barcode cannot be empty or contain spaces.", "Штрихкод не может быть пустым или содержать пробелы.";
    BarcodeTooLong => "The barcode {code} is longer than 48 characters.", "Штрихкод {code} длиннее 48 символов.";
    BarcodeCheckDigit => "The barcode {code} is mistyped: its last digit should be {digit}.", "В штрихкоде {code} опечатка: последняя цифра должна быть {digit}.";
    BarcodeTaken => "The barcode {code} is already used by “{other}”.", "Штрихкод {code} уже занят товаром «{other}».";
    VariantTwice => "“{item}” has two variants named “{variant}”.", "У «{item}» два варианта с названием «{variant}».";
    GroupRule => "“{group}”: give it at least one modifier, and a minimum no larger than the maximum or the number of modifiers.", "«{group}»: добавьте хотя бы одну добавку; минимум не может быть больше максимума или числа добавок.";
    ColourInvalid => "Choose a colour such as #e4572e.", "Выберите цвет, например #e4572e.";
    TaxRateRange => "A tax rate is from 0 to 100 %.", "Ставка налога — от 0 до 100 %.";
    FiscalTagUnknown => "The fiscal code of this tax is not one of 1 to 12 (tag 1199).", "Фискальный код этого налога — не от 1 до 12 (тег 1199).";
    ExemptWithRate => "A tax marked “without VAT” has a rate of 0.", "У налога «без НДС» ставка 0.";
    TicketNegativePrice => "A price on the ticket cannot be negative. To take money off, give a discount.", "Цена в чеке не может быть отрицательной. Чтобы уменьшить сумму, дайте скидку.";
    TicketPriceTooFine => "The price has more decimals than the currency has.", "В цене больше знаков после запятой, чем у валюты.";
    QuantityTooLarge => "A line holds at most 1,000,000 of one product.", "В одной позиции — не больше 1 000 000 единиц товара.";
    TicketPriceTooHigh => "One item costs at most 100,000,000,000.", "Один товар стоит не больше 100 000 000 000.";
    DiscountTooLarge => "That discount is larger than any ticket can be.", "Такая скидка больше любого чека.";
    PriceNotANumber => "The price is not a number such as 3.50.", "Цена — не число вида 3,50.";
    CostNotANumber => "The cost price is not a number such as 1.20.", "Себестоимость — не число вида 1,20.";
    VariantPriceNotANumber => "A variant's price is not a number such as 3.50.", "Цена варианта — не число вида 3,50.";
    UnitInvalid => "Choose piece, kilogram or litre.", "Выберите штуку, килограмм или литр.";
    CountNotWhole => "Enter a whole number of modifiers, such as 1.", "Введите целое число добавок, например 1.";
    RateNotANumber => "Enter a number such as 22 or 92.5.", "Введите число, например 22 или 92,5.";

    // ---- The menu as a CSV file (#12) ----
    MenuFile => "File", "Файл";
    MenuFileHeading => "The menu as a spreadsheet (CSV)", "Меню в виде таблицы (CSV)";
    MenuFileNote => "Export the menu, edit it in a spreadsheet, and import it back. A row with a known SKU changes that product; nothing is deleted. Prices may use a point or a comma.", "Выгрузите меню, измените его в таблице и загрузите обратно. Строка с известным артикулом меняет этот товар; ничего не удаляется. В ценах можно писать точку или запятую.";
    ExportCsv => "Export CSV", "Выгрузить CSV";
    ImportCsv => "Import CSV", "Загрузить CSV";
    ImportReading => "Reading the file…", "Читаем файл…";
    ImportRunning => "Importing {count} changes…", "Загружаем изменений: {count}…";
    ImportSaving => "Saving {count} changes to the store…", "Сохраняем в магазине изменений: {count}…";
    ImportSummary => "{good} changes are ready to import; {bad} rows have problems and will be left out.", "Готово к загрузке изменений: {good}; строк с ошибками (не будут загружены): {bad}.";
    ImportGood => "Import {count} changes", "Загрузить изменения: {count}";
    ImportDone => "{count} changes imported into the menu.", "В меню загружено изменений: {count}.";
    ImportUnreadable => "The file could not be read.", "Не удалось прочитать файл.";
    ImportLine => "Line", "Строка";
    ImportColumn => "Column", "Столбец";
    ImportReason => "Problem", "Ошибка";
    ImportRowUnreadable => "This part of the file is not readable CSV.", "Эта часть файла — не CSV.";
    ImportTooManyCells => "The row has {found} cells but the header names {expected} columns.", "В строке ячеек: {found}, а в заголовке столбцов: {expected}.";
    ImportMissingColumn => "The header lacks a column that {kind} rows need; those rows are left out.", "В заголовке нет столбца, нужного строкам вида {kind}; они не загружаются.";
    ImportUnknownColumn => "This column is not one the register reads; it is ignored.", "Этот столбец касса не читает; он пропущен.";
    ImportDuplicateColumn => "This column appears twice; the first one is read.", "Этот столбец повторяется; читается первый.";
    ImportUnknownKind => "“{value}” is not a kind of row (tax, category, modifier, group, product, variant).", "«{value}» — не вид строки (tax, category, modifier, group, product, variant).";
    ImportValueMissing => "A value is needed here.", "Здесь нужно значение.";
    ImportBadPrice => "“{value}” is not a price such as 3.50 or 3,50.", "«{value}» — не цена вида 3.50 или 3,50.";
    ImportBadNumber => "“{value}” is not a number.", "«{value}» — не число.";
    ImportBadUnit => "“{value}” is not a unit (piece, kilogram, litre).", "«{value}» — не единица (штука, килограмм, литр).";
    ImportBadYesNo => "“{value}” is neither yes nor no.", "«{value}» — ни «да», ни «нет».";
    ImportUnknownTax => "There is no tax “{value}”.", "Налога «{value}» нет.";
    ImportUnknownModifier => "There is no modifier “{value}”.", "Добавки «{value}» нет.";
    ImportUnknownGroup => "There is no modifier group “{value}”.", "Группы добавок «{value}» нет.";
    ImportUnknownProduct => "There is no product with the SKU “{value}”.", "Товара с артикулом «{value}» нет.";
    ImportRefersToRefused => "It refers to line {line}, which is not imported.", "Ссылается на строку {line}, которая не загружается.";
    ImportVariantRefused => "Its variant on line {line} is not imported, so neither is the product.", "Его вариант в строке {line} не загружается, поэтому не загружается и товар.";
    ImportProductRefused => "Its product is not imported because of line {line}.", "Его товар не загружается из-за строки {line}.";
    ImportDuplicateRow => "Line {line} already has this record.", "Эта запись уже есть в строке {line}.";
    // The register's layout (issue 12): the toolbar, the short demo note, the categories.
    RegisterToolbar => "Search, camera and drawer", "Поиск, камера и денежный ящик";
    DemoNote => "Demo menu: remove it in Settings", "Демо-меню: удалите его в настройках";
    DemoNoteHide => "Hide this note", "Скрыть эту подсказку";
    Categories => "Categories", "Категории";
    // Staff (issue 12): sign-in, switch, approvals, the staff list, the time clock, the audit log.
    OwnerName => "Your name (shown to staff and on receipts)", "Ваше имя (его видят сотрудники и покупатели в чеке)";
    RoleNameOwner => "Owner", "Владелец";
    RoleManager => "Manager", "Менеджер";
    RoleCashier => "Cashier", "Кассир";
    RoleUnknown => "Removed role", "Удалённая роль";
    StaffSection => "Staff", "Сотрудники";
    StaffLockTitle => "Who is at the till?", "Кто за кассой?";
    StaffWho => "Staff member", "Сотрудник";
    StaffPin => "PIN (4 to 6 digits)", "PIN (от 4 до 6 цифр)";
    StaffSignIn => "OK", "Войти";
    StaffSwitch => "Switch", "Сменить";
    StaffPickSomeone => "Tap your name first.", "Сначала нажмите на своё имя.";
    StaffWrongPin => "Wrong PIN. {left} more tries before a pause.", "Неверный PIN. Ещё попыток до паузы: {left}.";
    StaffLocked => "Too many wrong PINs: try again in {seconds} s.", "Слишком много неверных PIN: попробуйте снова через {seconds} с.";
    StaffCannotApprove => "This staff member may not approve it.", "Этот сотрудник не может это разрешить.";
    StaffApprovalTitle => "A manager's PIN is needed", "Нужен PIN менеджера";
    StaffNoApprover => "No one in the staff list may allow this. The owner can change that in Settings, Staff.", "Никто из сотрудников не может это разрешить. Владелец может изменить это в Настройках, раздел «Сотрудники».";
    StaffSignInFirst => "Sign in with your PIN first.", "Сначала войдите по своему PIN.";
    StaffListUntrusted => "The server's answer did not carry a valid staff list; nothing changed. Try again.", "Ответ сервера не содержит действительного списка сотрудников; ничего не изменилось. Попробуйте ещё раз.";
    StaffPinFormat => "A PIN is 4 to 6 digits.", "PIN — это от 4 до 6 цифр.";
    StaffPinLockedServer => "Too many wrong PINs for this staff member: the server waits before checking another.", "Слишком много неверных PIN этого сотрудника: сервер ждёт, прежде чем проверить следующий.";
    StaffStale => "Another device changed the staff list at the same time. The list is read again: make your change once more.", "Другое устройство одновременно изменило список сотрудников. Список загружен заново: повторите изменение.";
    StaffNotPermitted => "Your role may not make this change to the staff list.", "Ваша роль не позволяет так изменить список сотрудников.";
    StaffNameMissing => "Type a name.", "Введите имя.";
    StaffSaved => "The staff list is saved on every device of the store.", "Список сотрудников сохранён на всех устройствах магазина.";
    StaffNoneYet => "This store has no staff list yet: the owner's device sets it up.", "У магазина ещё нет списка сотрудников: его заводят на устройстве владельца.";
    StaffFirstOwnerHint => "Name yourself and choose your PIN: you become the store's first staff member, its owner. Then add your staff.", "Укажите своё имя и выберите PIN: вы станете первым сотрудником магазина, его владельцем. Затем добавьте сотрудников.";
    StaffName => "Name", "Имя";
    StaffRole => "Role", "Роль";
    StaffInactive => "no longer works here", "больше не работает";
    StaffActive => "Works here (can sign in)", "Работает (может входить)";
    StaffAdd => "Add a staff member", "Добавить сотрудника";
    StaffChange => "Change a staff member", "Изменить сотрудника";
    StaffNewPinOptional => "New PIN (leave empty to keep it)", "Новый PIN (оставьте пустым, чтобы не менять)";
    StaffConfirmPin => "Your PIN, to confirm", "Ваш PIN для подтверждения";
    StaffAskOwner => "Only a member whose role may edit staff changes this list.", "Изменять этот список может только сотрудник с правом на это.";
    StaffRoles => "What each role may do", "Что может каждая роль";
    StaffNewRole => "A role of your own", "Своя роль";
    StaffAddRole => "Add the role", "Добавить роль";
    StaffDiscountLimit => "Discounts up to this percent need no manager", "Скидки до этого процента не требуют менеджера";
    StaffIdleLock => "Lock the till after this many idle minutes (0: never)", "Блокировать кассу после стольких минут бездействия (0 — никогда)";
    StaffTimeClock => "Time clock", "Учёт рабочего времени";
    StaffClockIn => "Clock in", "Начать смену";
    StaffClockOut => "Clock out", "Закончить смену";
    StaffHoursToday => "Hours today", "Часов сегодня";
    StaffHoursWeek => "Hours this week", "Часов за неделю";
    StaffAuditLog => "Audit log", "Журнал действий";
    StaffEveryone => "Everyone", "Все";
    StaffEverything => "Every action", "Все действия";
    StaffRefresh => "Refresh", "Обновить";
    AuditDaysBackwards => "The first day comes after the last: swap them.", "Первый день позже последнего: поменяйте их местами.";
    AuditTooManyDays => "Choose at most {days} days at once.", "Выберите не больше {days} дней за раз.";
    StaffApprovedBy => "approved by {name}", "разрешил(а) {name}";
    Edit => "Change", "Изменить";
    RenameStore => "Rename the store", "Переименовать магазин";
    StoreRenamed => "The store is renamed on every device.", "Магазин переименован на всех устройствах.";
    UnlockSettings => "Receipt, printer, card terminal and scanner settings", "Настройки чека, принтера, терминала и сканера";
    PermDiscount => "Give a discount above the limit", "Скидка выше предела";
    PermRefund => "Refund a sale", "Возврат продажи";
    PermRefundToCash => "Refund in cash", "Возврат наличными";
    PermNoSale => "Open the drawer with no sale", "Открыть ящик без продажи";
    PermVoidSentLine => "Void a line already sent", "Отменить уже отправленную позицию";
    PermPriceOverride => "Change a price at the till", "Изменить цену на кассе";
    PermEditCatalog => "Edit the menu", "Изменять меню";
    PermEditStaff => "Edit staff", "Изменять сотрудников";
    PermSeeReports => "See reports and the audit log", "Видеть отчёты и журнал действий";
    PermCloseShift => "Close a shift", "Закрыть смену";
    PermChangeSettings => "Change the settings", "Изменять настройки";
    AuditSale => "Sale", "Продажа";
    AuditRefund => "Refund", "Возврат";
    AuditNoSale => "No sale", "Без продажи";
    AuditVoid => "Void", "Отмена";
    AuditDiscount => "Discount", "Скидка";
    AuditPriceChange => "Price change", "Изменение цены";
    AuditPriceOverride => "Price changed at the till", "Цена изменена на кассе";
    SendOrder => "Send to kitchen", "На кухню";
    OrderSent => "Sent to the kitchen: the order ticket is printing.", "Отправлено на кухню: печатается заказ.";
    OrderSentNoPrinter => "Marked as sent to the kitchen. No printer is set up, so no order ticket was printed.", "Отмечено как отправленное на кухню. Принтер не настроен, поэтому заказ не напечатан.";
    OrderTicket => "ORDER", "ЗАКАЗ";
    LineSent => "sent", "отправлено";
    PricePerItem => "Price per item", "Цена за единицу";
    ShelfPriceWas => "The product's price: {price}", "Цена товара: {price}";
    NotAPrice => "Type a price such as 3.50 or 3,50.", "Введите цену вида 3.50 или 3,50.";
    AuditApproval => "Approval", "Разрешение";
    AuditClockIn => "Clocked in", "Начал(а) смену";
    AuditClockOut => "Clocked out", "Закончил(а) смену";
    AuditSignIn => "Signed in", "Вход";
    AuditSignOut => "Signed out", "Выход";
    AuditStaffEdit => "Staff list changed", "Изменён список сотрудников";
    NavShift => "Shift", "Смена";
    ShiftNoneOpen => "No shift is open. Count the float in the drawer to open one.", "Смена не открыта. Пересчитайте размен в ящике, чтобы открыть смену.";
    ShiftOpen => "Open shift", "Открыть смену";
    ShiftOpenAlready => "A shift is already open on this register.", "На этой кассе смена уже открыта.";
    ShiftNotOpen => "No shift is open on this register.", "На этой кассе смена не открыта.";
    ShiftClosedAlready => "This shift is already closed.", "Эта смена уже закрыта.";
    ShiftBadAmount => "Type an amount of cash greater than zero, in whole cents or kopecks.", "Введите сумму наличных больше нуля, с точностью до копейки.";
    ShiftReasonMissing => "Say why the cash was paid in or out.", "Укажите, зачем внесены или выданы наличные.";
    ShiftOpenedAt => "Open since {time}", "Открыта с {time}";
    ShiftFloatCount => "Float, counted by note and coin", "Размен: пересчёт по купюрам и монетам";
    ShiftCloseCount => "Count the drawer by note and coin", "Пересчитайте ящик по купюрам и монетам";
    ShiftBlindNote => "The expected amount is shown after the count.", "Ожидаемая сумма будет показана после пересчёта.";
    ShiftLoose => "Other cash (rolls, loose coins)", "Прочие наличные (рулоны, мелочь)";
    ShiftCounted => "Counted: {amount}", "Пересчитано: {amount}";
    ShiftClose => "Close shift", "Закрыть смену";
    ShiftCashMove => "Cash in or out", "Внесение и выплата";
    ShiftPayIn => "Pay in", "Внесение";
    ShiftPayOut => "Pay out", "Выплата";
    ShiftDrop => "Drop to safe", "Изъятие в сейф";
    ShiftAmount => "Amount", "Сумма";
    ShiftReason => "Reason", "Причина";
    ShiftRecordMove => "Record", "Записать";
    ShiftXReport => "X report", "X-отчёт";
    ShiftZReport => "Z report", "Z-отчёт";
    ShiftEarlier => "Earlier shifts", "Прошлые смены";
    ShiftShowReport => "Show report", "Показать отчёт";
    ShiftPrint => "Print", "Печать";
    ShiftNoPrinter => "No printer is set up: set one up in Settings to print the report.", "Принтер не настроен: настройте его в Настройках, чтобы напечатать отчёт.";
    ShiftLocalOnly => "Shifts are kept on this register only; other registers do not see them yet.", "Смены хранятся только на этой кассе; другие кассы их пока не видят.";
    RepSales => "Sales", "Продажи";
    RepGross => "Gross sales", "Продажи без скидок";
    RepDiscounts => "Discounts", "Скидки";
    RepCashRounding => "Cash rounding", "Округление наличных";
    RepCardExcess => "Above the amount asked (card)", "Сверх запрошенного (карта)";
    RepPaid => "Paid by customers", "Оплачено покупателями";
    RepPaidCash => "Paid in cash", "Оплачено наличными";
    RepPaidCard => "Paid by card", "Оплачено картой";
    RepRefunds => "Refunds", "Возвраты";
    RepRefundedCash => "Refunded in cash", "Возвращено наличными";
    RepRefundedCard => "Refunded to cards", "Возвращено на карты";
    RepNet => "Net sales", "Чистая выручка";
    RepAverage => "Average ticket", "Средний чек";
    RepReceipts => "Receipts", "Чеки";
    RepTaxes => "Tax {rate}: net {net}, tax {tax}, gross {gross}", "Налог {rate}: без налога {net}, налог {tax}, всего {gross}";
    RepFloat => "Float", "Размен";
    RepPayIns => "Paid in", "Внесено";
    RepPayOuts => "Paid out", "Выплачено";
    RepDrops => "Dropped to safe", "Изъято в сейф";
    RepCashExpected => "Cash expected", "Ожидается наличных";
    RepCashCounted => "Cash counted", "Пересчитано наличных";
    RepDifference => "Difference", "Расхождение";
}

impl Msg {
    /// The text with `{name}` placeholders replaced.
    pub fn fill(self, lang: Lang, args: &[(&str, &str)]) -> String {
        let mut text = self.text(lang).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

thread_local! {
    static MONEY_FORMATS: RefCell<HashMap<(Lang, Currency), Function>> = RefCell::new(HashMap::new());
    static DATE_FORMATS: RefCell<HashMap<Lang, Function>> = RefCell::new(HashMap::new());
}

fn intl_options(pairs: &[(&str, JsValue)]) -> Object {
    let options = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&options, &JsValue::from_str(key), value);
    }
    options
}

/// Formats an amount for the language and currency: `€14.50` in English, `14,50 €` in Russian.
pub fn money(amount: Decimal, currency: Currency, lang: Lang) -> String {
    let format = MONEY_FORMATS.with(|cache| {
        cache
            .borrow_mut()
            .entry((lang, currency))
            .or_insert_with(|| {
                let digits = JsValue::from_f64(f64::from(currency.minor_unit()));
                let options = intl_options(&[
                    ("style", "currency".into()),
                    ("currency", currency.code().into()),
                    ("minimumFractionDigits", digits.clone()),
                    ("maximumFractionDigits", digits),
                ]);
                Intl::NumberFormat::new(&Array::of1(&lang.tag().into()), &options).format()
            })
            .clone()
    });
    // Intl takes a decimal string and formats it exactly (ECMA-402 "Intl.NumberFormat v3").
    let text = currency.round(amount).to_string();
    format
        .call1(&JsValue::NULL, &JsValue::from_str(&text))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or(text)
}

/// Formats a quantity: whole pieces without decimals, kilograms with three, in the language's style.
pub fn quantity(q: Decimal, lang: Lang) -> String {
    let text = q.normalize().to_string();
    match lang {
        Lang::Ru => text.replace('.', ","),
        Lang::En => text,
    }
}

/// Parses what a cashier typed as an amount or a quantity: a comma or a point as decimal separator,
/// spaces ignored.
pub fn parse_decimal(input: &str) -> Option<Decimal> {
    let cleaned: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    cleaned.replace(',', ".").parse::<Decimal>().ok()
}

/// Formats a size in bytes as megabytes, in the language's style.
pub fn megabytes(bytes: u64, lang: Lang) -> String {
    let tenths = (bytes * 10 + 524_288) / 1_048_576;
    let text = format!("{}.{} MB", tenths / 10, tenths % 10);
    match lang {
        Lang::Ru => text.replace('.', ",").replace("MB", "МБ"),
        Lang::En => text,
    }
}

/// The local midnight that starts `date` (`YYYY-MM-DD`, as a date input gives it), in
/// milliseconds since the epoch; `None` for an empty or unreadable date.
pub fn day_start_ms(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-').map(str::parse::<u32>);
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let ms =
        js_sys::Date::new_with_year_month_day(y, m.checked_sub(1)? as i32, d as i32).get_time();
    ms.is_finite().then_some(ms as i64)
}

/// Formats a moment (milliseconds since the epoch) as a local date and time.
pub fn date_time(ms: i64, lang: Lang) -> String {
    let format = DATE_FORMATS.with(|cache| {
        cache
            .borrow_mut()
            .entry(lang)
            .or_insert_with(|| {
                let options =
                    intl_options(&[("dateStyle", "short".into()), ("timeStyle", "short".into())]);
                Intl::DateTimeFormat::new(&Array::of1(&lang.tag().into()), &options).format()
            })
            .clone()
    });
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    format
        .call1(&JsValue::NULL, &date)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Checks that each message has an English and a Russian text, that they differ (a text left
/// in English, or left empty, in the Russian column fails), and that it has no placeholder: an
/// error's message is whole by itself, and no developer text is ever filled into it.
#[cfg(test)]
pub(crate) fn assert_translated(msgs: impl IntoIterator<Item = Msg>) {
    for msg in msgs {
        let (en, ru) = (msg.text(Lang::En), msg.text(Lang::Ru));
        assert!(!en.trim().is_empty(), "{msg:?} has no English text");
        assert!(!ru.trim().is_empty(), "{msg:?} has no Russian text");
        assert_ne!(en, ru, "{msg:?} reads the same in English and Russian");
        assert!(
            !en.contains('{') && !ru.contains('{'),
            "{msg:?} has a placeholder"
        );
    }
}
